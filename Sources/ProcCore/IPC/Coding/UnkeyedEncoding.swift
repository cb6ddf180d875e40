/// `BinaryEncoder`'s unkeyed container: values in order.
struct UnkeyedEncoding: UnkeyedEncodingContainer {
    let encoder: EncoderImplementation
    let storage: EncodedContainer
    let codingPath: [any CodingKey]
    var count: Int { storage.values.count }

    private var nextKey: any CodingKey { IndexKey(count) }

    mutating func encodeNil() { storage.values.append(.null) }
    mutating func encode(_ value: Bool) { storage.values.append(.bool(value)) }
    mutating func encode(_ value: String) { storage.values.append(.string(value)) }
    mutating func encode(_ value: Double) { storage.values.append(.double(value)) }
    mutating func encode(_ value: Float) { storage.values.append(.float(value)) }
    mutating func encode(_ value: Int) { storage.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) { storage.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) { storage.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) { storage.values.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) { storage.values.append(.signed(value)) }
    mutating func encode(_ value: UInt) { storage.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) { storage.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) { storage.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) { storage.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) { storage.values.append(.unsigned(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.values.append(try encoder.encodeNested(value, at: codingPath + [nextKey]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [nextKey]
        let nested = EncodedContainer(.keyed)
        storage.values.append(.container(nested))
        return KeyedEncodingContainer(KeyedEncoding<NestedKey>(encoder: encoder, storage: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [nextKey]
        let nested = EncodedContainer(.unkeyed)
        storage.values.append(.container(nested))
        return UnkeyedEncoding(encoder: encoder, storage: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [nextKey]
        let slot = EncodedContainer(.single)
        storage.values.append(.container(slot))
        return encoder.nestedEncoder(slot: slot, codingPath: path)
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
