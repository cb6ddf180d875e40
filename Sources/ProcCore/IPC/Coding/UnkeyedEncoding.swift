/// `BinaryEncoder`'s unkeyed container: values in order.
struct UnkeyedEncoding: UnkeyedEncodingContainer {
    let encoder: EncoderImplementation
    let storage: EncodedContainer
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { storage.count }

    private var nextKey: any CodingKey { IndexKey(count) }

    mutating func encodeNil() { storage.append(.null) }
    mutating func encode(_ value: Bool) { storage.append(.bool(value)) }
    mutating func encode(_ value: String) { storage.append(.string(value)) }
    mutating func encode(_ value: Double) { storage.append(.double(value)) }
    mutating func encode(_ value: Float) { storage.append(.float(value)) }
    mutating func encode(_ value: Int) { storage.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) { storage.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) { storage.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) { storage.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) { storage.append(.signed(value)) }
    mutating func encode(_ value: UInt) { storage.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) { storage.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) { storage.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) { storage.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) { storage.append(.unsigned(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.append(try encoder.encodeNested(value, key: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedContainer(.keyed)
        let nestedEncoder = encoder.nestedEncoder(slot: nested, key: nextKey)
        storage.append(.container(nested))
        return KeyedEncodingContainer(KeyedEncoding<NestedKey>(encoder: nestedEncoder, storage: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedContainer(.unkeyed)
        let nestedEncoder = encoder.nestedEncoder(slot: nested, key: nextKey)
        storage.append(.container(nested))
        return UnkeyedEncoding(encoder: nestedEncoder, storage: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let slot = EncodedContainer(.single)
        let nestedEncoder = encoder.nestedEncoder(slot: slot, key: nextKey)
        storage.append(.container(slot))
        return nestedEncoder
    }
}

/// The coding key of an element of an unkeyed container: its index.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}
