/// The `Encoder` handed to an `Encodable` value: it fills one slot of the tree.
///
/// Its coding path comes from parent links (see `CodingPathNode`).
final class EncoderImplementation: Encoder, CodingPathNode {
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let slot: EncodedContainer
    private let parent: EncoderImplementation?
    private let key: (any CodingKey)?
    private let depth: Int
    private let maximumDepth: Int

    init(slot: EncodedContainer, parent: EncoderImplementation?, key: (any CodingKey)?, depth: Int, maximumDepth: Int) {
        self.slot = slot
        self.parent = parent
        self.key = key
        self.depth = depth
        self.maximumDepth = maximumDepth
    }

    var codingPath: [any CodingKey] { assembledCodingPath }
    var parentNode: EncoderImplementation? { parent }
    var nodeKey: (any CodingKey)? { key }

    /// Encodes `value` into a tree value, one level below `parent`: a `[UInt8]` as bytes,
    /// scalars and arrays of scalars directly, anything else through its own `encode(to:)`.
    static func encodeValue<T: Encodable>(
        _ value: T, parent: EncoderImplementation?, key: (any CodingKey)?, depth: Int, maximumDepth: Int
    ) throws -> EncodedValue {
        // By identity: `value as? [UInt8]` alone would take an empty array of any element type.
        if ObjectIdentifier(T.self) == ScalarArray.known.bytes { return .bytes(unsafeBitCast(value, to: [UInt8].self)) }
        if let primitive = WirePrimitive.encoded(value) { return primitive }
        let slot = EncodedContainer(.single)
        let encoder = EncoderImplementation(slot: slot, parent: parent, key: key, depth: depth + 1, maximumDepth: maximumDepth)
        guard depth < maximumDepth else {
            throw EncodingError.invalidValue(value, .init(codingPath: encoder.codingPath, debugDescription: "nested deeper than \(maximumDepth) levels"))
        }
        // An array of scalars is a level, as through its own `encode(to:)`.
        if let array = ScalarArray.encoded(value) { return array }
        try value.encode(to: encoder)
        return slot.singleValue ?? .container(EncodedContainer(.keyed))
    }

    /// Encodes a nested value below this encoder, reached by `key`.
    func encodeNested<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> EncodedValue {
        try Self.encodeValue(value, parent: self, key: key, depth: depth, maximumDepth: maximumDepth)
    }

    /// An encoder for `slot` below this one at the same depth (nested containers, `superEncoder`).
    func nestedEncoder(slot: EncodedContainer, key: any CodingKey) -> EncoderImplementation {
        EncoderImplementation(slot: slot, parent: self, key: key, depth: depth, maximumDepth: maximumDepth)
    }

    /// This slot's container of `kind`: the one already there (a class and its superclass
    /// may both ask for it), or a new one.
    func container(_ kind: EncodedContainer.Kind) -> EncodedContainer {
        if case .container(let existing)? = slot.singleValue, existing.kind == kind { return existing }
        let created = EncodedContainer(kind)
        slot.set(.container(created))
        return created
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedEncoding<Key>(encoder: self, storage: container(.keyed)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedEncoding(encoder: self, storage: container(.unkeyed))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueEncoding(encoder: self, slot: slot)
    }
}
