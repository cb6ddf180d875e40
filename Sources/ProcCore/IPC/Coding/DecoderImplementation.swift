/// The `Decoder` handed to a `Decodable` type: one value's span of the input.
final class DecoderImplementation: Decoder {
    let input: WireInput
    let span: Range<Int>
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let depth: Int
    private let maximumDepth: Int

    init(input: WireInput, span: Range<Int>, codingPath: [any CodingKey], depth: Int, maximumDepth: Int) {
        self.input = input
        self.span = span
        self.codingPath = codingPath
        self.depth = depth
        self.maximumDepth = maximumDepth
    }

    /// Decodes a `T` from `span`, one level below this decoder: a `[UInt8]` from bytes,
    /// anything else through its own `init(from:)`.
    func decodeNested<T: Decodable>(_ type: T.Type, span: Range<Int>, at path: [any CodingKey]) throws -> T {
        if T.self == [UInt8].self {
            return try reading(at: path) { try input.byteArray(span) } as! T
        }
        guard depth < maximumDepth else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "nested deeper than \(maximumDepth) levels"))
        }
        return try T(from: DecoderImplementation(input: input, span: span, codingPath: path, depth: depth + 1, maximumDepth: maximumDepth))
    }

    /// A decoder for the value at `span` at this one's depth (nested containers and
    /// `superDecoder`: only a nested `Decodable` value counts as a level, as in the encoder).
    func nestedDecoder(span: Range<Int>, at path: [any CodingKey]) -> DecoderImplementation {
        DecoderImplementation(input: input, span: span, codingPath: path, depth: depth, maximumDepth: maximumDepth)
    }

    /// Runs a read of the wire format, giving its failure the coding path where it happened.
    func reading<R>(at path: [any CodingKey], _ read: () throws -> R) throws -> R {
        do {
            return try read()
        } catch let failure as CodingFailure {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: failure.description))
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try KeyedDecoding<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedDecoding(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueDecoding(decoder: self)
    }
}
