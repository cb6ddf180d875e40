/// `StreamingEncoder`'s keyed container: each entry's key and value written at once.
struct StreamingKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamingEncoder
    /// The container, nil when it could not be streamed (every write then throws).
    let id: Int?
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func entry(_ key: Key, _ value: EncodedValue) throws {
        try encoder.prepareItem(of: id)
        encoder.writeKey(key)
        encoder.write(value)
    }

    mutating func encodeNil(forKey key: Key) throws { try entry(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try entry(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { try entry(key, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try entry(key, .double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try entry(key, .float(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try entry(key, .signed(Int64(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try entry(key, .signed(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try entry(key, .signed(Int64(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try entry(key, .signed(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try entry(key, .signed(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try entry(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try entry(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try entry(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try entry(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try entry(key, .unsigned(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encoder.prepareItem(of: id)
        encoder.writeKey(key)
        try encoder.encodeValue(value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(StreamingKeyedEncoding<NestedKey>(encoder: encoder, id: nested(.keyed, key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        StreamingUnkeyedEncoding(encoder: encoder, id: nested(.unkeyed, key))
    }

    /// Opens a container as the value of `key`; nil when this container cannot take it.
    private func nested(_ kind: WireTag, _ key: Key) -> Int? {
        guard (try? encoder.prepareItem(of: id)) != nil else {
            encoder.giveUp()
            return nil
        }
        encoder.writeKey(key)
        return encoder.openContainer(kind)
    }

    mutating func superEncoder() -> any Encoder { encoder.giveUp() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.giveUp() }
}
