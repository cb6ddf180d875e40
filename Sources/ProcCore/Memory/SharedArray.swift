/// A fixed number of plain values shared by this process and the children it forks
/// afterwards, with a lock, as Python's `multiprocessing.Array`.
///
/// ```swift
/// let slots = try SharedArray(repeating: 0.0, count: 4)
/// // in child i:
/// try slots.store(Double(i) * 1.5, at: i)
/// // in the parent, after joining them:
/// print(try slots.load())    // [0.0, 1.5, 3.0, 4.5]
/// ```
///
/// The elements live in anonymous `MAP_SHARED` memory, as `SharedValue`'s value does, and
/// for the same reason only `BitwiseCopyable` elements go in: never pointers, class
/// references, `String`s or `Array`s, whose addresses and reference counts mean something
/// in one process only. An index out of range is an `invalidArgument` error, never a trap.
public final class SharedArray<T: BitwiseCopyable>: @unchecked Sendable {
    /// The lock that guards the elements, as Python's `get_lock()`.
    public let lock: ProcessLock
    /// How many elements there are; fixed.
    public let count: Int
    private let elements: UnsafeMutablePointer<T>
    private let memory: LockedSharedMemory

    /// `count` copies of `value` in fresh shared memory.
    public convenience init(repeating value: T, count: Int) throws(ProcessError) {
        try self.init(uninitializedCount: count)
        elements.initialize(repeating: value, count: count)
    }

    /// The elements of `values`, in fresh shared memory.
    public convenience init(_ values: [T]) throws(ProcessError) {
        try self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { elements.initialize(from: start, count: source.count) }
        }
    }

    /// Maps room for `count` elements (zeroed bytes, not yet initialised as `T`).
    private init(uninitializedCount count: Int) throws(ProcessError) {
        let (byteCount, overflow) = MemoryLayout<T>.stride.multipliedReportingOverflow(by: count)
        guard count >= 0, !overflow else {
            throw ProcessError(.invalidArgument, operation: "SharedArray of \(count) elements")
        }
        memory = try LockedSharedMemory(payloadByteCount: byteCount, alignment: MemoryLayout<T>.alignment)
        lock = memory.lock
        self.count = count
        elements = memory.payload.bindMemory(to: T.self, capacity: count)
    }

    /// The element at `index`, read under the lock.
    public func load(at index: Int) throws(ProcessError) -> T {
        try checkIndex(index, for: "SharedArray.load(at:)")
        try lock.lockReportingOwnerDeath(operation: "SharedArray.load(at:)")
        defer { _ = try? lock.unlock() }
        return elements[index]
    }

    /// Sets the element at `index` under the lock.
    public func store(_ value: T, at index: Int) throws(ProcessError) {
        try checkIndex(index, for: "SharedArray.store(_:at:)")
        try lock.lockReportingOwnerDeath(operation: "SharedArray.store(_:at:)")
        defer { _ = try? lock.unlock() }
        elements[index] = value
    }

    /// A copy of every element, read under the lock (one consistent snapshot).
    public func load() throws(ProcessError) -> [T] {
        try lock.lockReportingOwnerDeath(operation: "SharedArray.load()")
        defer { _ = try? lock.unlock() }
        return Array(UnsafeBufferPointer(start: elements, count: count))
    }

    /// Runs `body` on the elements holding the lock. The buffer is valid only inside `body`.
    /// Throws `ownerDied` without running `body` when the previous holder died holding the lock.
    public func withLock<R, E: Error>(_ body: (UnsafeMutableBufferPointer<T>) throws(E) -> R) throws -> R {
        try lock.withLock { () throws(E) -> R in try body(UnsafeMutableBufferPointer(start: elements, count: count)) }
    }

    /// `withLock` waiting at most `timeout` for the lock: throws `timedOut` when it could
    /// not be had in time.
    public func withLock<R, E: Error>(timeout: Duration, _ body: (UnsafeMutableBufferPointer<T>) throws(E) -> R) throws -> R {
        try lock.withLock(timeout: timeout) { () throws(E) -> R in
            try body(UnsafeMutableBufferPointer(start: elements, count: count))
        }
    }

    private func checkIndex(_ index: Int, for operation: String) throws(ProcessError) {
        guard index >= 0 && index < count else {
            throw ProcessError(.invalidArgument, operation: "\(operation): index \(index) of \(count)")
        }
    }
}
