import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// A condition variable shared by this process and the children it forks afterwards, as
/// Python's `multiprocessing.Condition`: a process-shared pthread condition on the
/// monotonic clock, used with its `lock`.
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
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// The shared memory the condition lives in, kept mapped as long as it exists.
    private let memory: AnyObject

    /// A condition with a new lock of its own, both on one page.
    public convenience init() throws(ProcessError) {
        let memory = try LockedSharedMemory(
            payloadByteCount: MemoryLayout<pthread_cond_t>.size, alignment: MemoryLayout<pthread_cond_t>.alignment)
        try self.init(lock: memory.lock, at: memory.payload, in: memory)
    }

    /// A condition used with `lock` (for example a `SharedValue`'s), in shared memory of its own.
    public convenience init(lock: ProcessLock) throws(ProcessError) {
        let memory = try SharedMemory(byteCount: MemoryLayout<pthread_cond_t>.size)
        try self.init(lock: lock, at: memory.bytes.baseAddress!, in: memory)
    }

    /// A condition at `address` inside `memory`, used with `lock`.
    init(lock: ProcessLock, at address: UnsafeMutableRawPointer, in memory: AnyObject) throws(ProcessError) {
        self.lock = lock
        self.memory = memory
        condition = address.bindMemory(to: pthread_cond_t.self, capacity: 1)
        try check("pthread_cond_init", pc_condition_init_shared(condition))
    }

    // No pthread_cond_destroy: it waits for every waiter to leave, and a waiter killed in
    // its wait never leaves. Unmapping is enough.

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
        try check("pthread_cond_signal", pc_condition_signal(condition))
    }

    /// Wakes every waiting process (Python's `notify_all`).
    public func broadcast() throws(ProcessError) {
        try check("pthread_cond_broadcast", pc_condition_broadcast(condition))
    }

    /// One wait with `lock` held; false when `deadline` passed. A previous holder's death
    /// is thrown as `ownerDied` when `reportingOwnerDeath`, else ignored (for the
    /// primitives built here, whose short updates a death cannot leave half-done in a way
    /// that matters).
    func wait(until deadline: Deadline?, reportingOwnerDeath: Bool) throws(ProcessError) -> Bool {
        var ownerDied = false
        let result = withDeadline(deadline) { pc_condition_wait(condition, lock.mutex, $0, &ownerDied) }
        if result == ETIMEDOUT { return false }
        try check("pthread_cond_wait", result)
        if ownerDied && reportingOwnerDeath { throw ProcessError(.ownerDied, operation: "ProcessCondition.wait") }
        return true
    }
}
