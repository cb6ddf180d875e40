/// Where the parts of a `ShareableList` lie in its block, as CPython's
/// `multiprocessing/shared_memory.py` lays them out (3.11 and the 2026 main branch alike), in the machine's
/// own byte order (Python packs with native `struct` formats):
///
/// - 8 bytes: the item count N;
/// - (N + 1) × 8 bytes: where each item's slot starts in the data area, and where the data
///   area ends (Python's `_allocated_offsets`);
/// - the data area: one slot per item (8 bytes, or a multiple of 8 for a string or bytes);
/// - N × 8 bytes: each item's `struct` format, padded with NULs (`q`, `d`, `xxxxxxx?`,
///   `xxxxxx?x` or `<length>s`);
/// - N bytes: each item's back-transform code (0 number or bool, 1 str, 2 bytes, 3 None).
///
/// The count and offsets are read once, when a list is attached, and checked against the
/// block's size: the block is another process's, so nothing it says is taken on trust.
struct ShareableListLayout {
    /// The number of items.
    let count: Int
    /// Where each slot starts, relative to the data area, then where the data area ends:
    /// `count + 1` offsets, never decreasing.
    private let slotOffsets: [Int]

    /// The size of the count, of each offset and of each format.
    static let wordSize = 8

    /// Where the data area starts: after the count and the `count + 1` offsets.
    var dataStart: Int { (count + 2) * Self.wordSize }
    /// Where the formats start: after the data area.
    var formatsStart: Int { dataStart + slotOffsets[count] }
    /// Where the back-transform codes start: after the formats.
    var codesStart: Int { formatsStart + count * Self.wordSize }
    /// The bytes the whole list takes (Python's `struct.calcsize` of it).
    var size: Int { codesStart + count }

    /// The bytes of item `index`'s slot in the block.
    func slot(_ index: Int) -> Range<Int> {
        (dataStart + slotOffsets[index])..<(dataStart + slotOffsets[index + 1])
    }

    /// The bytes of item `index`'s format in the block.
    func format(_ index: Int) -> Range<Int> {
        let start = formatsStart + index * Self.wordSize
        return start..<(start + Self.wordSize)
    }

    /// Where item `index`'s back-transform code is in the block.
    func code(_ index: Int) -> Int { codesStart + index }

    /// The layout of a new list whose slots have these lengths.
    init(slotLengths: [Int]) {
        count = slotLengths.count
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        for length in slotLengths { offsets.append(offsets.last! + length) }
        slotOffsets = offsets
    }

    /// The layout `bytes` holds, or `.undecodableMessage` when its count and offsets do
    /// not describe a list that fits in it.
    init(reading bytes: UnsafeRawBufferPointer) throws(ProcessError) {
        func word(_ index: Int) -> Int { Int(bytes.loadUnaligned(fromByteOffset: index * Self.wordSize, as: Int64.self)) }
        func notAList(_ why: String) -> ProcessError {
            ProcessError(.undecodableMessage, operation: "ShareableList: a block of \(bytes.count) bytes is not one: \(why)")
        }
        guard bytes.count >= 2 * Self.wordSize else { throw notAList("too short for a count and an offset") }
        let count = word(0)
        // Each item takes at least an offset, a format and a code: 17 bytes.
        guard count >= 0, count <= (bytes.count - 2 * Self.wordSize) / (2 * Self.wordSize + 1) else {
            throw notAList("an item count of \(count)")
        }
        let offsets = (0...count).map { word(1 + $0) }
        guard offsets.first == 0, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw notAList("slot offsets that are not in order from 0")
        }
        let dataStart = (count + 2) * Self.wordSize
        guard offsets[count] <= bytes.count - dataStart - count * (Self.wordSize + 1) else {
            throw notAList("a data area of \(offsets[count]) bytes")
        }
        self.count = count
        slotOffsets = offsets
    }

    /// Writes the count and the offsets at the start of `bytes`.
    func write(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: Int64(count), toByteOffset: 0, as: Int64.self)
        for (index, offset) in slotOffsets.enumerated() {
            bytes.storeBytes(of: Int64(offset), toByteOffset: (index + 1) * Self.wordSize, as: Int64.self)
        }
    }
}
