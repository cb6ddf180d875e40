/// `BinaryEncoder`'s fast path: writes each value's bytes as its `encode(to:)` makes them,
/// into one buffer, instead of building `EncodedValue`'s tree first and writing it after.
/// For a small struct the tree's objects (a container, an encoder and an array per nested
/// value) and its two walks were most of the cost of a message.
///
/// A container's byte length and count come before its body and are known only once it
/// is done: one byte is kept for each, and the body moves when they need more (a
/// container of 128 items or more, or over 127 bytes; once per container). The bytes are
/// those the tree would write.
///
/// Codable lets a type use its containers in any order; this encoder takes them in the
/// usual one, in which a container, once a container before it is written to again, is
/// done. Anything else (writing to a container after that, `superEncoder`, a second value
/// in a single-value container) throws `OutOfOrder`, and `BinaryEncoder` encodes the value
/// again with the tree.
final class StreamingEncoder: Encoder {
    /// The value's containers are not used in an order this encoder can stream.
    struct OutOfOrder: Error {}

    /// A container whose length and count are still to be written.
    private struct OpenContainer {
        let id: Int
        /// Where its tag is; the two kept bytes follow.
        let header: Int
        var count = 0
    }

    /// A value being encoded through its own `encode(to:)`.
    private struct Slot {
        let start: Int
        let key: (any CodingKey)?
        /// The container the value asked for, if it did (asked again, it is the same).
        var container: (id: Int, kind: WireTag)?
    }

    // No run-time exclusivity checks on these (each access wrote a thread-local access
    // set, a sixth of the time): one thread encodes, and no access to them overlaps.
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    /// A container was asked for out of order (the call cannot throw): the value is
    /// encoded again with the tree.
    @exclusivity(unchecked) private var outOfOrder = false
    @exclusivity(unchecked) private var open: [OpenContainer] = []
    @exclusivity(unchecked) private var slots: [Slot] = []
    @exclusivity(unchecked) private var nextID = 0
    private let maximumDepth: Int

    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var codingPath: [any CodingKey] { slots.compactMap(\.key) }

    init(maximumDepth: Int) {
        self.maximumDepth = maximumDepth
        bytes.reserveCapacity(Self.initialCapacity)
    }

    /// Room for a small message at once, instead of growth steps at 16, 32 and 64 bytes.
    private static var initialCapacity: Int { 128 }

    /// Encodes `value` into `bytes`, in place of what they held: the buffers keep their
    /// capacity, so that an encoder used again (see `SpareEncoder`) allocates none of them.
    /// Throws `OutOfOrder`, or what the value's `encode(to:)` throws.
    func encodeAnew<T: Encodable>(_ value: T) throws {
        bytes.removeAll(keepingCapacity: true)
        open.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        outOfOrder = false
        nextID = 0
        try encodeValue(value, key: nil)
        if outOfOrder { throw OutOfOrder() }
    }

    // MARK: - Values

    /// Writes `value`: scalars, `[UInt8]` and arrays of scalars directly, anything else
    /// through its own `encode(to:)` in a new slot.
    func encodeValue<T: Encodable>(_ value: T, key: (any CodingKey)?) throws {
        if ObjectIdentifier(T.self) == ScalarArray.known.bytes {
            write(.bytes(unsafeBitCast(value, to: [UInt8].self)))
            return
        }
        if let scalar = WirePrimitive.encoded(value) {
            write(scalar)
            return
        }
        guard slots.count < maximumDepth else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [key].compactMap { $0 }, debugDescription: "nested deeper than \(maximumDepth) levels"))
        }
        if ScalarArray.append(value, to: &bytes) { return }
        slots.append(Slot(start: bytes.count, key: key))
        try value.encode(to: self)
        let slot = slots.removeLast()
        // Every container the value opened is done.
        while let last = open.last, last.header >= slot.start { close() }
        if bytes.count == slot.start {
            // Nothing encoded: an empty keyed container, as the tree writes it.
            bytes.append(contentsOf: [WireTag.keyed.rawValue, 1, 0])
        }
    }

    /// Writes a tree value: a scalar, as a rule (a container only from `WireWriter`).
    func write(_ value: EncodedValue) {
        if !bytes.appendScalar(value) { bytes.append(contentsOf: WireWriter.encode(value)) }
    }

    // MARK: - Containers

    /// Opens a container at the end of the bytes; its id.
    @discardableResult
    func openContainer(_ kind: WireTag) -> Int {
        nextID += 1
        open.append(OpenContainer(id: nextID, header: bytes.count))
        bytes.append(contentsOf: [kind.rawValue, 0, 0])
        return nextID
    }

    /// Makes container `id` the innermost open one, closing those opened after it, before
    /// an item is written to it; throws `OutOfOrder` when it was closed already (or is nil:
    /// it could not be opened).
    func prepareItem(of id: Int?) throws {
        guard let id else { throw OutOfOrder() }
        while let last = open.last, last.id != id {
            guard open.contains(where: { $0.id == id }) else { throw OutOfOrder() }
            close()
        }
        guard !open.isEmpty else { throw OutOfOrder() }
        open[open.count - 1].count += 1
    }

    /// How many items container `id` holds so far (0 once closed: only asked while open).
    func count(of id: Int?) -> Int {
        open.last(where: { $0.id == id })?.count ?? 0
    }

    /// Writes a key of a keyed container.
    func writeKey(_ key: some CodingKey) {
        var name = key.stringValue
        name.withUTF8 { utf8 in
            bytes.appendVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// The container of the value being encoded, opened at the first call; nil (the
    /// value goes to the tree) when it cannot be streamed.
    func slotContainer(_ kind: WireTag) -> Int? {
        do {
            return try streamedSlotContainer(kind)
        } catch {
            outOfOrder = true
            return nil
        }
    }

    private func streamedSlotContainer(_ kind: WireTag) throws -> Int {
        // The slot is read and changed in place: a copy of it is a copy of its key, an
        // existential (value-witness calls), on every container of every value.
        let last = slots.count - 1
        guard last >= 0 else { throw OutOfOrder() }
        if let existing = slots[last].container {
            guard existing.kind == kind, open.contains(where: { $0.id == existing.id }) else { throw OutOfOrder() }
            return existing.id
        }
        guard bytes.count == slots[last].start else { throw OutOfOrder() }
        let id = openContainer(kind)
        slots[last].container = (id, kind)
        return id
    }

    /// Marks the value as one to encode with the tree, and returns an encoder whose
    /// writes go nowhere (`superEncoder` and the like, which cannot throw).
    @discardableResult
    func giveUp() -> StreamingEncoder {
        outOfOrder = true
        return StreamingEncoder(maximumDepth: maximumDepth)
    }

    /// Before a single value of the value being encoded: nothing may have been written for it.
    func prepareSingleValue() throws {
        guard let slot = slots.last, slot.container == nil, bytes.count == slot.start else { throw OutOfOrder() }
    }

    /// Writes the innermost open container's length and count, moving its body if they
    /// need more than the two bytes kept.
    private func close() {
        let container = open.removeLast()
        let count = UInt64(container.count)
        // The body's length includes the count, which is written first.
        let bodyLength = UInt64(bytes.count - (container.header + 3) + [UInt8].varintSize(count))
        bytes.fillReserved(2, at: container.header + 1, withVarints: bodyLength, count)
    }

    // MARK: - Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(StreamingKeyedEncoding<Key>(encoder: self, id: slotContainer(.keyed)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamingUnkeyedEncoding(encoder: self, id: slotContainer(.unkeyed))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamingSingleValueEncoding(encoder: self)
    }
}
