import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// The server's pollfd array, of a fixed capacity, in memory its children do not
/// inherit (see `ParentOnlyMemory`): appending or removing a child's pidfd at every
/// connection then never faults on a page that the last fork write-protected.
final class PollSet {
    private let memory: UnsafeMutableRawBufferPointer
    private let isParentOnly: Bool
    private let entries: UnsafeMutablePointer<pollfd>
    /// The count, in the parent-only memory too: a stored property would be written on
    /// this object's heap page.
    private let counter: UnsafeMutablePointer<Int>
    /// How many entries fit.
    let capacity: Int

    /// How many entries are in use.
    private(set) var count: Int {
        get { counter.pointee }
        set { counter.pointee = newValue }
    }

    init(capacity: Int) {
        self.capacity = capacity
        let byteCount = MemoryLayout<Int>.stride + capacity * MemoryLayout<pollfd>.stride
        if let parentOnly = ParentOnlyMemory.allocate(byteCount: byteCount) {
            memory = parentOnly
            isParentOnly = true
        } else {
            memory = .allocate(byteCount: byteCount, alignment: MemoryLayout<Int>.alignment)
            isParentOnly = false
        }
        counter = memory.baseAddress!.initializeMemory(as: Int.self, repeating: 0, count: 1)
        entries = (memory.baseAddress! + MemoryLayout<Int>.stride).bindMemory(to: pollfd.self, capacity: capacity)
    }

    deinit {
        if isParentOnly { ParentOnlyMemory.deallocate(memory) } else { memory.deallocate() }
    }

    /// The entry at `index` (below `count`).
    subscript(index: Int) -> pollfd {
        get { entries[index] }
        set { entries[index] = newValue }
    }

    /// Adds an entry; the caller keeps `count` below `capacity`.
    func append(_ entry: pollfd) {
        precondition(count < capacity, "PollSet is full")
        entries[count] = entry
        count += 1
    }

    /// Removes the last entry.
    func removeLast() {
        count -= 1
    }

    /// Clears every entry's returned events.
    func clearEvents() {
        for index in 0..<count { entries[index].revents = 0 }
    }

    /// poll(2) over the entries (pc_poll: EINTR retried); 0 or an errno value.
    func poll(timeoutMs: Int32) -> Int32 {
        var ready: Int32 = 0
        return pc_poll(entries, Int32(count), timeoutMs, &ready)
    }
}
