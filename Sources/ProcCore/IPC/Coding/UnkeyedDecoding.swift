/// `BinaryDecoder`'s unkeyed container: values read in order.
struct UnkeyedDecoding: UnkeyedDecodingContainer {
    let decoder: DecoderImplementation
    let count: Int?
    private(set) var currentIndex = 0
    private var position: Int
    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }
    private var input: WireInput { decoder.input }

    init(decoder: DecoderImplementation) throws {
        self.decoder = decoder
        let body = try decoder.reading(nil) { try decoder.input.containerBody(decoder.span, .unkeyed) }
        position = body.position
        count = body.count
    }

    /// The span of the next value, without moving past it.
    private func next() throws -> Range<Int> {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(
                codingPath: decoder.codingPath(appending: IndexKey(currentIndex)), debugDescription: "no more values (\(count ?? 0) in all)"))
        }
        return try decoder.reading(IndexKey(currentIndex)) { try input.span(at: position, end: decoder.span.upperBound) }
    }

    /// Reads the next value with `body` (given its span and the input) and moves past it.
    private mutating func read<R>(_ body: (Range<Int>, WireInput) throws -> R) throws -> R {
        let span = try next()
        let input = self.input
        let value = try decoder.reading(IndexKey(currentIndex)) { try body(span, input) }
        position = span.upperBound
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        let span = try next()
        guard try decoder.reading(IndexKey(currentIndex), { try input.isNil(span) }) else { return false }
        position = span.upperBound
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read { try $1.bool($0) } }
    mutating func decode(_ type: String.Type) throws -> String { try read { try $1.string($0) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try read { try $1.double($0) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try read { try $1.float($0) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read { try $1.integer($0, as: type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read { try $1.integer($0, as: type) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let span = try next()
        let value = try decoder.decodeNested(type, span: span, key: IndexKey(currentIndex))
        position = span.upperBound
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nestedDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try nestedDecoder() }

    private mutating func nestedDecoder() throws -> DecoderImplementation {
        let span = try next()
        let nested = decoder.nestedDecoder(span: span, key: IndexKey(currentIndex))
        position = span.upperBound
        currentIndex += 1
        return nested
    }
}
