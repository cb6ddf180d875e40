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
    /// A keyed container's entries, in the order they were encoded.
    private(set) var entries: [(key: String, value: EncodedValue)] = []
    /// An unkeyed container's values, or a single slot's value.
    private(set) var values: [EncodedValue] = []
    /// The byte length of the body, set by `WireWriter.measure` before writing.
    var bodyLength = 0

    init(_ kind: Kind) { self.kind = kind }

    func append(_ value: EncodedValue, forKey key: String) { entries.append((key, value)) }
    func append(_ value: EncodedValue) { values.append(value) }
    func set(_ value: EncodedValue) { values = [value] }

    /// How many values a keyed or unkeyed container holds.
    var count: Int { kind == .keyed ? entries.count : values.count }

    /// The value a `.single` slot holds (nil when nothing was encoded into it).
    var singleValue: EncodedValue? { values.last }
}
