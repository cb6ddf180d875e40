/// A fixed-capacity array, count included, in memory that forked children do not
/// inherit (see `ParentOnlyMemory`), or on the heap when that cannot be had.
///
/// The server's parent changes its poll set and child list at every connection; kept
/// here, neither the elements nor the count sit on a page that the last fork
/// write-protected, so those writes never fault. A child must never touch it.
final class ParentOnlyArray<Element: BitwiseCopyable> {
    private let memory: UnsafeMutableRawBufferPointer
    private let isParentOnly: Bool
    private let elements: UnsafeMutablePointer<Element>
    /// The count lives in the parent-only memory too: a stored property would be
    /// written on this object's heap page.
    private let counter: UnsafeMutablePointer<Int>
    /// How many elements fit.
    let capacity: Int

    /// How many elements are in use.
    private(set) var count: Int {
        get { counter.pointee }
        set { counter.pointee = newValue }
    }

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        let headerSize = max(MemoryLayout<Int>.stride, MemoryLayout<Element>.alignment)
        let byteCount = headerSize + self.capacity * MemoryLayout<Element>.stride
        if let parentOnly = ParentOnlyMemory.allocate(byteCount: byteCount) {
            memory = parentOnly
            isParentOnly = true
        } else {
            memory = .allocate(byteCount: byteCount, alignment: max(MemoryLayout<Int>.alignment, MemoryLayout<Element>.alignment))
            isParentOnly = false
        }
        counter = memory.baseAddress!.initializeMemory(as: Int.self, repeating: 0, count: 1)
        elements = (memory.baseAddress! + headerSize).bindMemory(to: Element.self, capacity: self.capacity)
    }

    deinit {
        if isParentOnly { ParentOnlyMemory.deallocate(memory) } else { memory.deallocate() }
    }

    /// The element at `index` (below `count`).
    subscript(index: Int) -> Element {
        get { elements[index] }
        set { elements[index] = newValue }
    }

    /// The elements in use, for a C call such as poll(2).
    var baseAddress: UnsafeMutablePointer<Element> { elements }

    /// Adds `element` at the end; the caller keeps `count` below `capacity`.
    func append(_ element: Element) {
        precondition(count < capacity, "ParentOnlyArray is full")
        elements[count] = element
        count += 1
    }

    /// Removes the element at `index` by moving the last one into its place; returns it.
    @discardableResult
    func swapRemove(at index: Int) -> Element {
        let removed = elements[index]
        count -= 1
        if index != count { elements[index] = elements[count] }
        return removed
    }

    /// Removes every element.
    func removeAll() {
        count = 0
    }
}
