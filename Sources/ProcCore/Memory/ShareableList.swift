/// A fixed-length list of ints, floats, bools, strings, bytes and Nones in a
/// `NamedSharedMemory` block, laid out as Python's
/// `multiprocessing.shared_memory.ShareableList`, so that a list Python made is read and
/// written here by name, and a list made here is one Python attaches to with
/// `ShareableList(name=...)`.
///
/// ```swift
/// let list = try ShareableList(creatingWithName: nil, values: [1, 2.5, true, "job", .none])
/// try list.setValue(.string("done"), at: 3)
/// // Python: ShareableList(name=list.name)[3] == 'done'
/// ```
///
/// As in Python, the length is fixed when the list is made, and so is each item's room: a
/// number, bool or None takes 8 bytes, a string or bytes the room it was made with (its
/// length rounded up past the next multiple of 8), which a later value of any kind may
/// take but not exceed. The layout is tested against Python 3.11; CPython's main branch (2026)
/// still lays it out the same (see `ShareableListLayout`).
///
/// What differs from Python: items are reached by index from 0 (no negative indexes or
/// slices); a bad index, a value too long for its item, and a block or item that is not
/// what Python writes are typed errors. What does not: nothing orders two processes' reads
/// and writes (an item's format is written before its bytes, so a reader may see half of a
/// change: guard a list that several processes write with a `ProcessLock`); a string or
/// bytes read back loses its trailing NUL bytes, as in Python (which strips them).
///
/// Who unlinks when is `NamedSharedMemory`'s rule: its creator calls `memory.unlink()`.
public final class ShareableList: @unchecked Sendable {
    /// The block that holds the list (Python's `shm`): its name, `close()` and `unlink()`.
    public let memory: NamedSharedMemory
    /// Where the list's parts lie in `memory`.
    private let layout: ShareableListLayout

    /// The block's name, without the leading `/`, as Python's `shm.name`.
    public var name: String { memory.name }
    /// The number of items, fixed when the list was made.
    public var count: Int { layout.count }

    /// Makes a list of `values` in a new block named `name`, or a random `psm_` name when
    /// nil, sized exactly as Python sizes it. `.invalidArgument` for a string or bytes of 10 MB or
    /// more (Python's format for it would not fit its 8 bytes); otherwise throws as
    /// `NamedSharedMemory.init(creatingWithName:size:unlinkWhenCreatorEnds:)`.
    public init(creatingWithName name: String?, values: [ShareableValue], unlinkWhenCreatorEnds: Bool = false) throws(ProcessError) {
        let slotLengths = values.map(\.slotLengthWhenCreated)
        if let index = values.indices.first(where: { !values[$0].fits(slotLength: slotLengths[$0]) }) {
            throw ProcessError(.invalidArgument, operation: "ShareableList: item \(index) is too long for Python's 8-character packing format")
        }
        layout = ShareableListLayout(slotLengths: slotLengths)
        memory = try NamedSharedMemory(creatingWithName: name, size: layout.size, unlinkWhenCreatorEnds: unlinkWhenCreatorEnds)
        layout.write(into: memory.bytes)
        for (index, value) in values.enumerated() { try store(value, at: index) }
    }

    /// Attaches to the list in the block `name` (Python's `ShareableList(name=...)`). ENOENT
    /// (`.systemCall`) when there is no such block; `.undecodableMessage` when its count
    /// and offsets do not describe a list that fits in it.
    public init(attachingTo name: String) throws(ProcessError) {
        memory = try NamedSharedMemory(attachingTo: name)
        layout = try ShareableListLayout(reading: UnsafeRawBufferPointer(memory.bytes))
    }

    /// Item `index` (0 ..< `count`, else `.invalidArgument`), read as Python reads it:
    /// `.undecodableMessage` when its format and code are not a pair Python writes.
    /// `.closed` after `memory.close()`.
    public func value(at index: Int) throws(ProcessError) -> ShareableValue {
        try checkUsable(index, "read")
        let bytes = UnsafeRawBufferPointer(memory.bytes)
        let formatBytes = bytes[layout.format(index)].prefix { $0 != 0 }
        return try ShareableValue(
            unpacking: UnsafeRawBufferPointer(rebasing: bytes[layout.slot(index)]),
            format: String(decoding: formatBytes, as: UTF8.self),
            code: Int8(bitPattern: bytes[layout.code(index)])
        )
    }

    /// Replaces item `index` with `value`, of any kind, as Python's `list[index] = value`.
    /// `.invalidArgument` for an index outside 0 ..< `count` or a string or bytes longer
    /// than the item's room (nothing is written then); `.closed` after `memory.close()`.
    public func setValue(_ value: ShareableValue, at index: Int) throws(ProcessError) {
        try checkUsable(index, "write")
        try store(value, at: index)
    }

    /// Every item, in order (Python's `list(shareable_list)`). Throws as `value(at:)`.
    public func values() throws(ProcessError) -> [ShareableValue] {
        var values: [ShareableValue] = []
        values.reserveCapacity(count)
        for index in 0..<count { values.append(try value(at: index)) }
        return values
    }

    /// Writes the item's format, code and bytes, in Python's order; a value that does not
    /// fit the slot throws before anything is written.
    private func store(_ value: ShareableValue, at index: Int) throws(ProcessError) {
        let slot = UnsafeMutableRawBufferPointer(rebasing: memory.bytes[layout.slot(index)])
        guard value.fits(slotLength: slot.count) else {
            throw ProcessError(.invalidArgument, operation: "ShareableList: the value exceeds item \(index)'s \(slot.count) bytes of storage")
        }
        let format = UnsafeMutableRawBufferPointer(rebasing: memory.bytes[layout.format(index)])
        format.initializeMemory(as: UInt8.self, repeating: 0)
        format.copyBytes(from: value.packingFormat(slotLength: slot.count).utf8)
        memory.bytes[layout.code(index)] = UInt8(bitPattern: value.transformCode)
        value.pack(into: slot)
    }

    private func checkUsable(_ index: Int, _ operation: String) throws(ProcessError) {
        if memory.isClosed { throw ProcessError(.closed, operation: "ShareableList \(operation)") }
        guard index >= 0, index < count else {
            throw ProcessError(.invalidArgument, operation: "ShareableList \(operation): index \(index) of \(count) items")
        }
    }
}
