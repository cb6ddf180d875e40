import CProcShim

import Glibc

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
/// Every `wait` is called with `lock` held and returns with it held. `notify(count:)` wakes
/// exactly that many of the processes waiting (fewer when fewer wait), as Python's
/// `notify(n)`: each notification is counted in the shared memory and taken by one waiter,
/// so a wait returns true only when it took one. Still wait in a loop over the predicate,
/// or use `wait(timeout:until:)`: another process may change the data between the notify
/// and the waiter's return. When a process died holding the lock, `wait` throws
/// `ProcessError.Code.ownerDied`, still with the lock held (and consistent again). A waiter
/// killed in its wait stays counted as waiting: a notification given for it is taken by a
/// later wait, which returns at once; nothing ever waits for the dead waiter.
public final class ProcessCondition: @unchecked Sendable {
    /// The condition's words in shared memory, guarded by `lock` but for `sequence`.
    struct Words {
        /// The futex word: bumped by every notification.
        var sequence: UInt32
        /// Processes in a public `wait`.
        var waiting: UInt32
        /// Notifications given and not yet taken by a waiter.
        var notified: UInt32
    }

    /// The lock the condition is used with (non-recursive: a wait releases it once).
    public let lock: ProcessLock
    private let words: UnsafeMutablePointer<Words>
    /// The futex word, the first of `words`.
    private let sequence: UnsafeMutablePointer<UInt32>
    /// The shared memory the condition lives in, kept mapped as long as it exists.
    private let memory: AnyObject

    /// A condition with a new lock of its own, both on one page.
    public convenience init() throws(ProcessError) {
        let memory = try LockedSharedMemory(
            payloadByteCount: MemoryLayout<Words>.size, alignment: MemoryLayout<Words>.alignment)
        self.init(lock: memory.lock, at: memory.payload, in: memory)
    }

    /// A condition used with `lock` (for example a `SharedValue`'s), in shared memory of its own.
    public convenience init(lock: ProcessLock) throws(ProcessError) {
        let memory = try SharedMemory(byteCount: MemoryLayout<Words>.size)
        self.init(lock: lock, at: memory.bytes.baseAddress!, in: memory)
    }

    /// A condition at `address` (`Words`, zeroed) inside `memory`, used with `lock`.
    init(lock: ProcessLock, at address: UnsafeMutableRawPointer, in memory: AnyObject) {
        self.lock = lock
        self.memory = memory
        words = address.bindMemory(to: Words.self, capacity: 1)
        sequence = (address + MemoryLayout<Words>.offset(of: \Words.sequence)!).assumingMemoryBound(to: UInt32.self)
    }

    /// Releases `lock`, waits until notified, and takes `lock` again.
    public func wait() throws(ProcessError) {
        _ = try waitForNotification(until: nil)
    }

    /// Releases `lock`, waits until notified or until `timeout` has passed, and takes `lock`
    /// again. Returns false when it timed out.
    public func wait(timeout: Duration) throws(ProcessError) -> Bool {
        try waitForNotification(until: Deadline(after: timeout))
    }

    /// Waits until `predicate` (checked with `lock` held) is true, or until `timeout` (nil:
    /// for ever) has passed; returns the predicate's last value, as Python's `wait_for`.
    public func wait(timeout: Duration? = nil, until predicate: () throws(ProcessError) -> Bool) throws(ProcessError) -> Bool {
        let deadline = try timeout.map { (timeout) throws(ProcessError) in try Deadline(after: timeout) }
        while try !predicate() {
            guard try waitForNotification(until: deadline) else { return try predicate() }
        }
        return true
    }

    /// Wakes up to `count` of the processes waiting now, as Python's `notify(n)`: exactly
    /// `count` when at least that many wait. Python requires the lock held; here a caller
    /// that does not hold it has it taken for the call.
    public func notify(count: Int = 1) throws(ProcessError) {
        guard count >= 0 else { throw ProcessError(.invalidArgument, operation: "ProcessCondition.notify(count: \(count))") }
        let held = pc_mutex_is_held(lock.mutex)
        if !held { _ = try lock.lock() }
        defer { if !held { _ = try? lock.unlock() } }
        let unnotified = words.pointee.waiting &- min(words.pointee.notified, words.pointee.waiting)
        words.pointee.notified &+= UInt32(min(count, Int(unnotified)))
        // Every sleeper wakes and checks for a notification: one woken by the futex but
        // killed before it took its notification then cannot strand a live waiter.
        try wakeEveryWaiter()
    }

    /// Wakes one waiting process: `notify(count: 1)`.
    public func signal() throws(ProcessError) {
        try notify(count: 1)
    }

    /// Wakes every waiting process (Python's `notify_all`).
    public func broadcast() throws(ProcessError) {
        try notify(count: Int(UInt32.max))
    }

    /// A public wait: counted in `waiting`, it returns true only with a notification taken,
    /// false when `deadline` passed first. With `lock` held.
    private func waitForNotification(until deadline: Deadline?) throws(ProcessError) -> Bool {
        guard pc_mutex_is_held(lock.mutex) else {
            throw .systemCall("ProcessCondition.wait", EPERM)
        }
        words.pointee.waiting &+= 1
        var ownerDied = false
        var wasNotified = false
        while true {
            let result = withDeadline(deadline) { pc_condition_wait(sequence, lock.mutex, $0, &ownerDied) }
            if result != 0 && result != ETIMEDOUT {
                // The lock could not be taken again: the counts are not ours to touch.
                throw .systemCall("futex", result)
            }
            if words.pointee.notified > 0 {
                words.pointee.notified -= 1
                wasNotified = true
                break
            }
            // A holder's death is reported at once; the caller rechecks what it waits for.
            if ownerDied || result == ETIMEDOUT { break }
        }
        words.pointee.waiting &-= 1
        if ownerDied { throw ProcessError(.ownerDied, operation: "ProcessCondition.wait") }
        return wasNotified
    }

    /// Wakes every process sleeping on the futex, counted or not, without giving a
    /// notification: what the primitives built on the condition use (they recheck their state).
    func wakeEveryWaiter() throws(ProcessError) {
        try check("futex", pc_condition_broadcast(sequence))
    }

    /// One uncounted wait with `lock` held, for the primitives built here; false when
    /// `deadline` passed. A previous holder's death is thrown as `ownerDied` when
    /// `reportingOwnerDeath`, else ignored (their short updates a death cannot leave
    /// half-done in a way that matters).
    func wait(until deadline: Deadline?, reportingOwnerDeath: Bool) throws(ProcessError) -> Bool {
        var ownerDied = false
        let result = withDeadline(deadline) { pc_condition_wait(sequence, lock.mutex, $0, &ownerDied) }
        if result == ETIMEDOUT { return false }
        try check("futex", result)
        if ownerDied && reportingOwnerDeath { throw ProcessError(.ownerDied, operation: "ProcessCondition.wait") }
        return true
    }
}
