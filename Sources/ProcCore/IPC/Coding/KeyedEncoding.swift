/// `BinaryEncoder`'s keyed container: keys and values in the order they are encoded.
struct KeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: EncoderImplementation
    let storage: EncodedContainer
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) { storage.append(.null, forKey: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) { storage.append(.bool(value), forKey: key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) { storage.append(.string(value), forKey: key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) { storage.append(.double(value), forKey: key.stringValue) }
    mutating func encode(_ value: Float, forKey key: Key) { storage.append(.float(value), forKey: key.stringValue) }
    mutating func encode(_ value: Int, forKey key: Key) { storage.append(.signed(Int64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: Int8, forKey key: Key) { storage.append(.signed(Int64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: Int16, forKey key: Key) { storage.append(.signed(Int64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: Int32, forKey key: Key) { storage.append(.signed(Int64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: Int64, forKey key: Key) { storage.append(.signed(value), forKey: key.stringValue) }
    mutating func encode(_ value: UInt, forKey key: Key) { storage.append(.unsigned(UInt64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: UInt8, forKey key: Key) { storage.append(.unsigned(UInt64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: UInt16, forKey key: Key) { storage.append(.unsigned(UInt64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: UInt32, forKey key: Key) { storage.append(.unsigned(UInt64(value)), forKey: key.stringValue) }
    mutating func encode(_ value: UInt64, forKey key: Key) { storage.append(.unsigned(value), forKey: key.stringValue) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        storage.append(try encoder.encodeNested(value, key: key), forKey: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedContainer(.keyed)
        storage.append(.container(nested), forKey: key.stringValue)
        return KeyedEncodingContainer(KeyedEncoding<NestedKey>(encoder: encoder.nestedEncoder(slot: nested, key: key), storage: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedContainer(.unkeyed)
        storage.append(.container(nested), forKey: key.stringValue)
        return UnkeyedEncoding(encoder: encoder.nestedEncoder(slot: nested, key: key), storage: nested)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: SuperKey.super) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let slot = EncodedContainer(.single)
        storage.append(.container(slot), forKey: key.stringValue)
        return encoder.nestedEncoder(slot: slot, key: key)
    }
}

/// The key of a superclass's values, as the Codable documentation names it.
enum SuperKey: String, CodingKey {
    case `super`
}
