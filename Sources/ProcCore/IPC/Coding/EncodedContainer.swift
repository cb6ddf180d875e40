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
    // No run-time exclusivity checks on these (each access wrote a thread-local access
    // set): a tree is built and written by one thread, and no access to them overlaps.
    /// A keyed container's entries, in the order they were encoded.
    @exclusivity(unchecked) private(set) var entries: [(key: String, value: EncodedValue)] = []
    /// An unkeyed container's values, or a single slot's value.
    @exclusivity(unchecked) private(set) var values: [EncodedValue] = []
    /// The byte length of the body, set by `WireWriter.measure` before writing.
    @exclusivity(unchecked) var bodyLength = 0

    /// Room for this many entries at the first append: one allocation for a typical
    /// struct instead of a growth step at 1, 2 and 4.
    private static let initialCapacity = 8

    init(_ kind: Kind) { self.kind = kind }

    func append(_ value: EncodedValue, forKey key: String) {
        if entries.isEmpty { entries.reserveCapacity(Self.initialCapacity) }
        entries.append((key, value))
    }

    func append(_ value: EncodedValue) {
        if values.isEmpty { values.reserveCapacity(Self.initialCapacity) }
        values.append(value)
    }

    func set(_ value: EncodedValue) { values = [value] }

    /// How many values a keyed or unkeyed container holds.
    var count: Int { kind == .keyed ? entries.count : values.count }

    /// The value a `.single` slot holds (nil when nothing was encoded into it).
    var singleValue: EncodedValue? { values.last }
}
