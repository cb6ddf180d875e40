/// The `Encoder` handed to an `Encodable` value: it fills one slot of the tree.
final class EncoderImplementation: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let slot: EncodedContainer
    private let depth: Int
    private let maximumDepth: Int

    init(slot: EncodedContainer, codingPath: [any CodingKey], depth: Int, maximumDepth: Int) {
        self.slot = slot
        self.codingPath = codingPath
        self.depth = depth
        self.maximumDepth = maximumDepth
    }

    /// Encodes `value` at `depth` into a tree value: a `[UInt8]` as bytes, anything else
    /// through its own `encode(to:)`.
    static func encodeValue<T: Encodable>(
        _ value: T, codingPath: [any CodingKey], depth: Int, maximumDepth: Int
    ) throws -> EncodedValue {
        // Not `value as? [UInt8]`: an empty array of any element type casts to [UInt8].
        if T.self == [UInt8].self, let bytes = value as? [UInt8] { return .bytes(bytes) }
        guard depth < maximumDepth else {
            throw EncodingError.invalidValue(value, .init(
                codingPath: codingPath, debugDescription: "nested deeper than \(maximumDepth) levels"))
        }
        let slot = EncodedContainer(.single)
        try value.encode(to: EncoderImplementation(slot: slot, codingPath: codingPath, depth: depth + 1, maximumDepth: maximumDepth))
        return slot.singleValue ?? .container(EncodedContainer(.keyed))
    }

    /// Encodes a nested value below this encoder.
    func encodeNested<T: Encodable>(_ value: T, at path: [any CodingKey]) throws -> EncodedValue {
        try Self.encodeValue(value, codingPath: path, depth: depth, maximumDepth: maximumDepth)
    }

    /// An encoder for a slot below this one (`superEncoder`).
    func nestedEncoder(slot: EncodedContainer, codingPath: [any CodingKey]) -> EncoderImplementation {
        EncoderImplementation(slot: slot, codingPath: codingPath, depth: depth + 1, maximumDepth: maximumDepth)
    }

    /// This slot's container of `kind`: the one already there (a class and its superclass
    /// may both ask for it), or a new one.
    private func container(_ kind: EncodedContainer.Kind) -> EncodedContainer {
        if case .container(let existing)? = slot.singleValue, existing.kind == kind { return existing }
        let created = EncodedContainer(kind)
        slot.values = [.container(created)]
        return created
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedEncoding<Key>(encoder: self, storage: container(.keyed), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedEncoding(encoder: self, storage: container(.unkeyed), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueEncoding(encoder: self, slot: slot)
    }
}
