import ProcCore

/// The server's watched children, in poll-slot order, in memory its children do not
/// inherit (see `ParentOnlyMemory`): a Swift array's storage is ordinary heap, and
/// appending a child at every connection faulted on the page the last fork
/// write-protected. Holds a strong reference to each child.
final class ChildList {
    private let memory: UnsafeMutableRawBufferPointer
    private let isParentOnly: Bool
    private let slots: UnsafeMutablePointer<Unmanaged<ChildProcess>>
    /// The count, in the parent-only memory too: a stored property would be written on
    /// this object's heap page.
    private let counter: UnsafeMutablePointer<Int>
    /// How many children fit.
    let capacity: Int

    /// How many children are in the list.
    private(set) var count: Int {
        get { counter.pointee }
        set { counter.pointee = newValue }
    }

    init(capacity: Int) {
        self.capacity = capacity
        let byteCount = (1 + max(1, capacity)) * MemoryLayout<Unmanaged<ChildProcess>>.stride
        if let parentOnly = ParentOnlyMemory.allocate(byteCount: byteCount) {
            memory = parentOnly
            isParentOnly = true
        } else {
            memory = .allocate(byteCount: byteCount, alignment: MemoryLayout<Unmanaged<ChildProcess>>.alignment)
            isParentOnly = false
        }
        counter = memory.baseAddress!.initializeMemory(as: Int.self, repeating: 0, count: 1)
        slots = (memory.baseAddress! + MemoryLayout<Int>.stride).bindMemory(to: Unmanaged<ChildProcess>.self, capacity: max(1, capacity))
    }

    deinit {
        removeAll()
        if isParentOnly { ParentOnlyMemory.deallocate(memory) } else { memory.deallocate() }
    }

    /// The child at `index` (below `count`).
    subscript(index: Int) -> ChildProcess {
        slots[index].takeUnretainedValue()
    }

    /// Adds `child` at the end; the caller keeps `count` below `capacity`.
    func append(_ child: ChildProcess) {
        precondition(count < capacity, "ChildList is full")
        slots[count] = Unmanaged.passRetained(child)
        count += 1
    }

    /// Removes the child at `index` by moving the last one into its place.
    func swapRemove(at index: Int) {
        let removed = slots[index]
        count -= 1
        if index != count { slots[index] = slots[count] }
        removed.release()
    }

    /// Every child, in order.
    var all: [ChildProcess] {
        (0..<count).map { self[$0] }
    }

    /// Removes every child.
    func removeAll() {
        for index in 0..<count { slots[index].release() }
        count = 0
    }
}
