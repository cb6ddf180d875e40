/// The `Decoder` handed to a `Decodable` type: one value's span of the input.
///
/// Its coding path comes from parent links (see `CodingPathNode`).
final class DecoderImplementation: Decoder, CodingPathNode {
    let input: WireInput
    let span: Range<Int>
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let parent: DecoderImplementation?
    private let key: (any CodingKey)?
    private let depth: Int
    private let maximumDepth: Int
    /// Where the last lookup in this value's keyed container ended (see `KeyedDecoding`).
    /// Without run-time exclusivity checks: one thread decodes, and accesses never overlap.
    @exclusivity(unchecked) var keyCursor = (position: 0, index: 0)

    init(input: WireInput, span: Range<Int>, parent: DecoderImplementation?, key: (any CodingKey)?, depth: Int, maximumDepth: Int) {
        self.input = input
        self.span = span
        self.parent = parent
        self.key = key
        self.depth = depth
        self.maximumDepth = maximumDepth
    }

    var codingPath: [any CodingKey] { assembledCodingPath }
    var parentNode: DecoderImplementation? { parent }
    var nodeKey: (any CodingKey)? { key }

    /// The coding path of a value below this decoder, reached by `key`.
    func codingPath(appending key: (any CodingKey)?) -> [any CodingKey] {
        key.map { codingPath + [$0] } ?? codingPath
    }

    /// Decodes the top-level `T` this decoder spans (the root: `BinaryDecoder.decode`).
    func decodeRoot<T: Decodable>(_ type: T.Type) throws -> T {
        if ObjectIdentifier(T.self) == ScalarArray.known.bytes {
            return unsafeBitCast(try reading(nil) { try input.byteArray(span) }, to: T.self)
        }
        if ScalarArray.isScalarArray(ObjectIdentifier(T.self)) {
            return try reading(nil) { try ScalarArray.read(T.self, from: input, span) }
        }
        return try T(from: self)
    }

    /// Decodes a `T` from `span`, one level below this decoder: a `[UInt8]` from bytes,
    /// scalars and arrays of scalars directly, anything else through its own `init(from:)`.
    /// `key` is made into an existential only when it is needed (see `reading`).
    func decodeNested<T: Decodable>(_ type: T.Type, span: Range<Int>, key: @autoclosure () -> (any CodingKey)?) throws -> T {
        if ObjectIdentifier(T.self) == ScalarArray.known.bytes {
            return unsafeBitCast(try reading(key()) { try input.byteArray(span) }, to: T.self)
        }
        if WirePrimitive.isScalar(ObjectIdentifier(T.self)) {
            return try reading(key()) { try WirePrimitive.read(T.self, from: input, span) }
        }
        guard depth < maximumDepth else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(appending: key()), debugDescription: "nested deeper than \(maximumDepth) levels"))
        }
        // An array of scalars is a level, as through its own `init(from:)`.
        if ScalarArray.isScalarArray(ObjectIdentifier(T.self)) {
            return try reading(key()) { try ScalarArray.read(T.self, from: input, span) }
        }
        return try T(from: DecoderImplementation(input: input, span: span, parent: self, key: key(), depth: depth + 1, maximumDepth: maximumDepth))
    }

    /// A decoder for the value at `span` at this one's depth (nested containers and
    /// `superDecoder`: only a nested `Decodable` value counts as a level, as in the encoder).
    func nestedDecoder(span: Range<Int>, key: any CodingKey) -> DecoderImplementation {
        DecoderImplementation(input: input, span: span, parent: self, key: key, depth: depth, maximumDepth: maximumDepth)
    }

    /// Runs a read of the wire format, giving its failure the coding path where it
    /// happened (below this decoder by `key`). The key is an autoclosure so that it
    /// becomes an `any CodingKey` only on failure, not for every value read (a
    /// value-witness copy and destroy each time, seen in a profile of `bench ipc`).
    func reading<R>(_ key: @autoclosure () -> (any CodingKey)?, _ read: () throws -> R) throws -> R {
        do {
            return try read()
        } catch let failure as CodingFailure {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(appending: key()), debugDescription: failure.description))
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
