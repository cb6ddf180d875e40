/// `BinaryDecoder`'s keyed container. Its entries are checked once, when it is made, and
/// not stored: a lookup walks them from where the last one ended (the decoder's
/// `keyCursor`), so that keys asked for in the order they were encoded are each found at
/// the first step, with nothing allocated.
struct KeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: DecoderImplementation
    private let bodyStart: Int
    private let entryCount: Int
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var input: WireInput { decoder.input }
    private var end: Int { decoder.span.upperBound }

    init(decoder: DecoderImplementation) throws {
        self.decoder = decoder
        let input = decoder.input
        let end = decoder.span.upperBound
        (bodyStart, entryCount) = try decoder.reading(nil) {
            let (start, count) = try input.containerBody(decoder.span, .keyed)
            var position = start
            for _ in 0..<count {
                position += try input.length(at: &position, end: end)
                position = try input.span(at: position, end: end).upperBound
            }
            if position != end { throw CodingFailure.corrupt("\(end - position) bytes left over in a keyed container") }
            return (start, count)
        }
        if decoder.keyCursor.position < bodyStart { decoder.keyCursor = (bodyStart, 0) }
    }

    /// The entry after `position`: its key's bytes and its value's span. The entries were
    /// checked in `init`, so this cannot fail; nil would mean they changed.
    private func entry(at position: Int) -> (key: Range<Int>, value: Range<Int>)? {
        var position = position
        guard let keyLength = try? input.length(at: &position, end: end),
              let value = try? input.span(at: position + keyLength, end: end) else { return nil }
        return (position..<(position + keyLength), value)
    }

    private func find(_ name: String) -> Range<Int>? {
        var (position, index) = decoder.keyCursor
        for _ in 0..<entryCount {
            if index >= entryCount { (position, index) = (bodyStart, 0) }
            guard let entry = entry(at: position) else { return nil }
            position = entry.value.upperBound
            index += 1
            if input.key(entry.key, equals: name) {
                decoder.keyCursor = (position, index)
                return entry.value
            }
        }
        return nil
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var position = bodyStart
        for _ in 0..<entryCount {
            guard let entry = entry(at: position) else { break }
            position = entry.value.upperBound
            if let name = WireInput.validString(input.buffer(entry.key)), let key = Key(stringValue: name) {
                keys.append(key)
            }
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { find(key.stringValue) != nil }

    private func value(_ key: Key) throws -> Range<Int> {
        guard let span = find(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key '\(key.stringValue)'"))
        }
        return span
    }

    private func read<R>(_ key: Key, _ body: (Range<Int>) throws -> R) throws -> R {
        let span = try value(key)
        return try decoder.reading(key) { try body(span) }
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
        try decoder.decodeNested(type, span: try value(key), key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.nestedDecoder(span: try value(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.nestedDecoder(span: try value(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let span = find(SuperKey.super.stringValue) else {
            throw DecodingError.keyNotFound(SuperKey.super, .init(codingPath: codingPath, debugDescription: "no value for key 'super'"))
        }
        return decoder.nestedDecoder(span: span, key: SuperKey.super)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.nestedDecoder(span: try value(key), key: key)
    }
}
