/// `BinaryDecoder`'s keyed container: the entries are found once, when it is made; a
/// lookup starts where the last one ended, so that keys asked for in the order they were
/// encoded are found at once.
struct KeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    /// One key and value of the container: the key's UTF-8 bytes and the value's span.
    struct Entry {
        let key: Range<Int>
        let value: Range<Int>
    }

    /// Where the next lookup starts (a class: lookups do not mutate the container).
    final class SearchHint { var next = 0 }

    let decoder: DecoderImplementation
    let entries: [Entry]
    private let hint = SearchHint()
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var input: WireInput { decoder.input }

    init(decoder: DecoderImplementation) throws {
        self.decoder = decoder
        let input = decoder.input
        let end = decoder.span.upperBound
        entries = try decoder.reading(at: decoder.codingPath) {
            var (position, count) = try input.containerBody(decoder.span, .keyed)
            var entries: [Entry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let keyLength = try input.length(at: &position, end: end)
                let key = position..<(position + keyLength)
                let value = try input.span(at: key.upperBound, end: end)
                entries.append(Entry(key: key, value: value))
                position = value.upperBound
            }
            return entries
        }
    }

    var allKeys: [Key] {
        entries.compactMap { entry in
            String(validating: input.bytes[entry.key], as: UTF8.self).flatMap(Key.init(stringValue:))
        }
    }

    func contains(_ key: Key) -> Bool { find(key.stringValue) != nil }

    private func find(_ name: String) -> Range<Int>? {
        let count = entries.count
        var index = hint.next
        for _ in 0..<count {
            if index >= count { index = 0 }
            if input.key(entries[index].key, equals: name) {
                hint.next = index + 1
                return entries[index].value
            }
            index += 1
        }
        return nil
    }

    private func value(_ key: Key) throws -> Range<Int> {
        guard let span = find(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key '\(key.stringValue)'"))
        }
        return span
    }

    private func read<R>(_ key: Key, _ body: (Range<Int>) throws -> R) throws -> R {
        let span = try value(key)
        return try decoder.reading(at: codingPath + [key]) { try body(span) }
    }

    func decodeNil(forKey key: Key) throws -> Bool { try read(key) { try input.isNil($0) } }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(key) { try input.bool($0) } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(key) { try input.string($0) } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(key) { try input.double($0) } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try read(key) { try input.float($0) } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try read(key) { try input.integer($0, as: type) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try read(key) { try input.integer($0, as: type) } }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decodeNested(type, span: try value(key), at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let span = find(SuperKey.super.stringValue) else {
            throw DecodingError.keyNotFound(SuperKey.super, .init(codingPath: codingPath, debugDescription: "no value for key 'super'"))
        }
        return decoder.nestedDecoder(span: span, at: codingPath + [SuperKey.super])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try nestedDecoder(key) }

    private func nestedDecoder(_ key: Key) throws -> DecoderImplementation {
        decoder.nestedDecoder(span: try value(key), at: codingPath + [key])
    }
}
