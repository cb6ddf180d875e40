/// `BinaryEncoder`'s single-value container: sets its encoder's slot.
struct SingleValueEncoding: SingleValueEncodingContainer {
    let encoder: EncoderImplementation
    let slot: EncodedContainer
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: EncodedValue) { slot.set(value) }

    mutating func encodeNil() { set(.null) }
    mutating func encode(_ value: Bool) { set(.bool(value)) }
    mutating func encode(_ value: String) { set(.string(value)) }
    mutating func encode(_ value: Double) { set(.double(value)) }
    mutating func encode(_ value: Float) { set(.float(value)) }
    mutating func encode(_ value: Int) { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) { set(.signed(value)) }
    mutating func encode(_ value: UInt) { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) { set(.unsigned(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        set(try encoder.encodeNested(value, key: nil))
    }
}
