/// `StreamingEncoder`'s single-value container: the value being encoded is this one value.
struct StreamingSingleValueEncoding: SingleValueEncodingContainer {
    let encoder: StreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: EncodedValue) throws {
        try encoder.prepareSingleValue()
        encoder.write(value)
    }

    mutating func encodeNil() throws { try set(.null) }
    mutating func encode(_ value: Bool) throws { try set(.bool(value)) }
    mutating func encode(_ value: String) throws { try set(.string(value)) }
    mutating func encode(_ value: Double) throws { try set(.double(value)) }
    mutating func encode(_ value: Float) throws { try set(.float(value)) }
    mutating func encode(_ value: Int) throws { try set(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try set(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { try set(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try set(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { try set(.signed(value)) }
    mutating func encode(_ value: UInt) throws { try set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { try set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { try set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { try set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { try set(.unsigned(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.prepareSingleValue()
        try encoder.encodeValue(value, key: nil)
    }
}
