/// One plain value shared by this process and the children it forks afterwards, with a
/// lock, as Python's `multiprocessing.Value`.
///
/// ```swift
/// let counter = try SharedValue(0)
/// let child = ChildProcess { for _ in 0..<1000 { try counter.withLock { $0 += 1 } } }
/// try child.start()
/// try child.join()
/// print(try counter.load())   // 1000
/// ```
///
/// The value lives in anonymous `MAP_SHARED` memory: each process reads and writes the
/// same bytes. `T` is `BitwiseCopyable` (integers, floats, Bool, tuples and structs of
/// them): only its bytes are shared. A pointer, a class reference, a `String` or an
/// `Array` must not go in even wrapped in a struct: each holds an address that is valid in
/// one address space only (after the fork the processes allocate and free on their own),
/// and a reference count that one process would update without the others knowing.
///
/// `load` and `store` take the lock for a single read or write; `withLock` holds it for a
/// read-modify-write (`+= 1` from several processes loses updates without it). When a
/// process died holding the lock, the next call throws `ProcessError.Code.ownerDied` once
/// (the value may be half-written) and the lock is usable again.
public final class SharedValue<T: BitwiseCopyable>: @unchecked Sendable {
    /// The lock that guards the value, as Python's `get_lock()`.
    public let lock: ProcessLock
    private let value: UnsafeMutablePointer<T>
    private let memory: LockedSharedMemory

    /// A value in fresh shared memory, set to `initial`.
    public init(_ initial: T) throws(ProcessError) {
        memory = try LockedSharedMemory(payloadByteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        lock = memory.lock
        value = memory.payload.bindMemory(to: T.self, capacity: 1)
        value.initialize(to: initial)
    }

    /// The value, read under the lock.
    public func load() throws(ProcessError) -> T {
        try lock.lockReportingOwnerDeath(operation: "SharedValue.load")
        defer { _ = try? lock.unlock() }
        return value.pointee
    }

    /// Sets the value under the lock.
    public func store(_ newValue: T) throws(ProcessError) {
        try lock.lockReportingOwnerDeath(operation: "SharedValue.store")
        defer { _ = try? lock.unlock() }
        value.pointee = newValue
    }

    /// Runs `body` on the value holding the lock: a read-modify-write no other process
    /// interleaves with. Throws `ownerDied` without running `body` when the previous
    /// holder died holding the lock.
    public func withLock<R, E: Error>(_ body: (inout T) throws(E) -> R) throws -> R {
        try lock.withLock { () throws(E) -> R in try body(&value.pointee) }
    }

    /// `withLock` waiting at most `timeout` for the lock: throws `timedOut` when it could
    /// not be had in time.
    public func withLock<R, E: Error>(timeout: Duration, _ body: (inout T) throws(E) -> R) throws -> R {
        try lock.withLock(timeout: timeout) { () throws(E) -> R in try body(&value.pointee) }
    }
}
