/// A container of `BinaryEncoder`'s tree: a reference, because the containers handed to
/// Codable code append to it after it has been placed in its parent.
final class EncodedContainer {
    enum Kind {
        case keyed
        case unkeyed
        /// The slot of one value still to come (an encoder's root, a `superEncoder`): written
        /// as that value, or as an empty keyed container when nothing was encoded into it.
        case single
    }

    let kind: Kind
    /// The keys of a keyed container, one for each value.
    var keys: [String] = []
    var values: [EncodedValue] = []
    /// The byte length of the body, set by `WireWriter.measure` before writing.
    var bodyLength = 0

    init(_ kind: Kind) { self.kind = kind }

    func append(_ value: EncodedValue, forKey key: String) {
        keys.append(key)
        values.append(value)
    }

    /// The value a `.single` slot holds (nil when nothing was encoded into it).
    var singleValue: EncodedValue? { values.last }
}
