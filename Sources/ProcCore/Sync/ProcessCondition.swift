import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// A condition variable shared by this process and the children it forks afterwards, as
/// Python's `multiprocessing.Condition`, used with its `lock`.
///
/// It is a futex on a sequence number in shared memory, not a `pthread_cond_t`: glibc's
/// keeps state for its waiters in the shared memory, and one process killed in its wait
/// made the next broadcast hang for ever. Here a waiter that dies leaves nothing behind.
///
/// ```swift
/// let condition = try ProcessCondition()
/// // a waiter, for shared data that `hasWork()` reads and `condition.lock` guards:
/// try condition.lock.withLock { _ = try condition.wait(timeout: .seconds(5)) { hasWork() } }
/// // the other side, after changing that data under the lock:
/// try condition.broadcast()
/// ```
///
/// Every `wait` is called with `lock` held and returns with it held. Wake-ups may be
/// spurious: wait in a loop over the predicate, or use `wait(timeout:until:)`. When a
/// process died holding the lock, `wait` throws `ProcessError.Code.ownerDied`, still with
/// the lock held (and consistent again).
public final class ProcessCondition: @unchecked Sendable {
    /// The lock the condition is used with (non-recursive: a wait releases it once).
    public let lock: ProcessLock
    /// The futex word: bumped by every signal and broadcast.
    private let sequence: UnsafeMutablePointer<UInt32>
    /// The shared memory the condition lives in, kept mapped as long as it exists.
    private let memory: AnyObject

    /// A condition with a new lock of its own, both on one page.
    public convenience init() throws(ProcessError) {
        let memory = try LockedSharedMemory(
            payloadByteCount: MemoryLayout<UInt32>.size, alignment: MemoryLayout<UInt32>.alignment)
        self.init(lock: memory.lock, at: memory.payload, in: memory)
    }

    /// A condition used with `lock` (for example a `SharedValue`'s), in shared memory of its own.
    public convenience init(lock: ProcessLock) throws(ProcessError) {
        let memory = try SharedMemory(byteCount: MemoryLayout<UInt32>.size)
        self.init(lock: lock, at: memory.bytes.baseAddress!, in: memory)
    }

    /// A condition at `address` (4 zeroed bytes) inside `memory`, used with `lock`.
    init(lock: ProcessLock, at address: UnsafeMutableRawPointer, in memory: AnyObject) {
        self.lock = lock
        self.memory = memory
        sequence = address.bindMemory(to: UInt32.self, capacity: 1)
    }

    /// Releases `lock`, waits until woken, and takes `lock` again.
    public func wait() throws(ProcessError) {
        _ = try wait(until: nil, reportingOwnerDeath: true)
    }

    /// Releases `lock`, waits until woken or until `timeout` has passed, and takes `lock`
    /// again. Returns false when it timed out.
    public func wait(timeout: Duration) throws(ProcessError) -> Bool {
        try wait(until: Deadline(after: timeout), reportingOwnerDeath: true)
    }

    /// Waits until `predicate` (checked with `lock` held) is true, or until `timeout` (nil:
    /// for ever) has passed; returns the predicate's last value, as Python's `wait_for`.
    public func wait(timeout: Duration? = nil, until predicate: () throws(ProcessError) -> Bool) throws(ProcessError) -> Bool {
        let deadline = try timeout.map { (timeout) throws(ProcessError) in try Deadline(after: timeout) }
        while try !predicate() {
            guard try wait(until: deadline, reportingOwnerDeath: true) else { return try predicate() }
        }
        return true
    }

    /// Wakes one waiting process (Python's `notify`).
    public func signal() throws(ProcessError) {
        try check("futex", pc_condition_signal(sequence))
    }

    /// Wakes every waiting process (Python's `notify_all`).
    public func broadcast() throws(ProcessError) {
        try check("futex", pc_condition_broadcast(sequence))
    }

    /// One wait with `lock` held; false when `deadline` passed. A previous holder's death
    /// is thrown as `ownerDied` when `reportingOwnerDeath`, else ignored (for the
    /// primitives built here, whose short updates a death cannot leave half-done in a way
    /// that matters).
    func wait(until deadline: Deadline?, reportingOwnerDeath: Bool) throws(ProcessError) -> Bool {
        var ownerDied = false
        let result = withDeadline(deadline) { pc_condition_wait(sequence, lock.mutex, $0, &ownerDied) }
        if result == ETIMEDOUT { return false }
        try check("futex", result)
        if ownerDied && reportingOwnerDeath { throw ProcessError(.ownerDied, operation: "ProcessCondition.wait") }
        return true
    }
}
