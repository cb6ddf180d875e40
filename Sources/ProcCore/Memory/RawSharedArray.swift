/// A fixed number of plain values shared by this process and the children it forks
/// afterwards, without a lock, as Python's `multiprocessing.RawArray`
/// (`Array(..., lock=False)`).
///
/// ```swift
/// let squares = try RawSharedArray(repeating: 0, count: 10)
/// let child = ChildProcess { for i in 0..<10 { try squares.store(i * i, at: i) } }
/// ```
///
/// Reads and writes are plain loads and stores, as `RawSharedValue`'s: each process should
/// write its own elements, or the caller synchronises. An index outside `0..<count` is
/// `.invalidArgument` (Python's `IndexError`).
public final class RawSharedArray<T: BitwiseCopyable>: @unchecked Sendable {
    /// How many elements the array holds.
    public let count: Int
    private let elements: UnsafeMutablePointer<T>
    private let memory: SharedMemory

    /// `count` copies of `value` in fresh shared memory (`count` at least 1).
    public convenience init(repeating value: T, count: Int) throws(ProcessError) {
        try self.init(Array(repeating: value, count: max(count, 0)))
    }

    /// The elements of `values` in fresh shared memory (at least one).
    public init(_ values: [T]) throws(ProcessError) {
        let (byteCount, overflow) = MemoryLayout<T>.stride.multipliedReportingOverflow(by: values.count)
        guard !values.isEmpty, !overflow else {
            throw ProcessError(.invalidArgument, operation: "RawSharedArray of \(values.count) elements")
        }
        count = values.count
        memory = try SharedMemory(byteCount: max(1, byteCount))
        elements = memory.bytes.baseAddress!.bindMemory(to: T.self, capacity: values.count)
        values.withUnsafeBufferPointer { _ = UnsafeMutableBufferPointer(start: elements, count: count).initialize(from: $0) }
    }

    /// The element at `index`, read without a lock; `.invalidArgument` outside `0..<count`.
    public func load(at index: Int) throws(ProcessError) -> T {
        try checkIndex(index)
        return elements[index]
    }

    /// Sets the element at `index` without a lock; `.invalidArgument` outside `0..<count`.
    public func store(_ value: T, at index: Int) throws(ProcessError) {
        try checkIndex(index)
        elements[index] = value
    }

    /// A copy of every element, read without a lock.
    public func load() -> [T] {
        Array(UnsafeBufferPointer(start: elements, count: count))
    }

    private func checkIndex(_ index: Int) throws(ProcessError) {
        guard index >= 0 && index < count else {
            throw ProcessError(.invalidArgument, operation: "RawSharedArray index \(index) out of 0..<\(count)")
        }
    }
}
