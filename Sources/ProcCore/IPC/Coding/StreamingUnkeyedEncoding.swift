/// `StreamingEncoder`'s unkeyed container: each value written at once.
struct StreamingUnkeyedEncoding: UnkeyedEncodingContainer {
    let encoder: StreamingEncoder
    /// The container, nil when it could not be streamed (every write then throws).
    let id: Int?
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.count(of: id) }

    private func item(_ value: EncodedValue) throws {
        try encoder.prepareItem(of: id)
        encoder.write(value)
    }

    mutating func encodeNil() throws { try item(.null) }
    mutating func encode(_ value: Bool) throws { try item(.bool(value)) }
    mutating func encode(_ value: String) throws { try item(.string(value)) }
    mutating func encode(_ value: Double) throws { try item(.double(value)) }
    mutating func encode(_ value: Float) throws { try item(.float(value)) }
    mutating func encode(_ value: Int) throws { try item(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try item(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { try item(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try item(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { try item(.signed(value)) }
    mutating func encode(_ value: UInt) throws { try item(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { try item(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { try item(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { try item(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { try item(.unsigned(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.prepareItem(of: id)
        try encoder.encodeValue(value, key: IndexKey(count - 1))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(StreamingKeyedEncoding<NestedKey>(encoder: encoder, id: nested(.keyed)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamingUnkeyedEncoding(encoder: encoder, id: nested(.unkeyed))
    }

    /// Opens a container as the next value; nil when this container cannot take it.
    private func nested(_ kind: WireTag) -> Int? {
        guard (try? encoder.prepareItem(of: id)) != nil else {
            encoder.giveUp()
            return nil
        }
        return encoder.openContainer(kind)
    }

    mutating func superEncoder() -> any Encoder { encoder.giveUp() }
}
