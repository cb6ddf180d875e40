

/// The server's watched children, in poll-slot order, in a `ParentOnlyArray` (a Swift
/// array's storage is ordinary heap, and appending a child at every connection faulted
/// on the page the last fork write-protected). Holds a strong reference to each child.
final class ChildList {
    private let slots: ParentOnlyArray<Unmanaged<ChildProcess>>

    init(capacity: Int) {
        slots = ParentOnlyArray(capacity: capacity)
    }

    deinit {
        removeAll()
    }

    /// How many children are in the list.
    var count: Int { slots.count }

    /// The child at `index` (below `count`).
    subscript(index: Int) -> ChildProcess {
        slots[index].takeUnretainedValue()
    }

    /// Adds `child` at the end; the caller keeps `count` below the capacity.
    func append(_ child: ChildProcess) {
        slots.append(Unmanaged.passRetained(child))
    }

    /// Removes the child at `index` by moving the last one into its place.
    func swapRemove(at index: Int) {
        slots.swapRemove(at: index).release()
    }

    /// Every child, in order.
    var all: [ChildProcess] {
        (0..<count).map { self[$0] }
    }

    /// Removes every child.
    func removeAll() {
        for index in 0..<count { slots[index].release() }
        slots.removeAll()
    }
}
