/// A lock, a condition and a `State` on one shared page: what `ProcessSemaphore`,
/// `ProcessEvent` and `ProcessBarrier` are built from.
///
/// Their updates under the lock are a store or two, so a process that dies holding the
/// lock leaves nothing that matters half-done: its death is not reported (a process that
/// dies holding a semaphore's count, though, never gives it back).
final class SharedMonitor<State: BitwiseCopyable>: @unchecked Sendable {
    private struct Storage {
        var condition: ProcessCondition.Words
        var state: State
    }

    let condition: ProcessCondition
    private let state: UnsafeMutablePointer<State>

    init(_ initial: State) throws(ProcessError) {
        let memory = try LockedSharedMemory(
            payloadByteCount: MemoryLayout<Storage>.size, alignment: MemoryLayout<Storage>.alignment)
        condition = ProcessCondition(lock: memory.lock, at: memory.payload, in: memory)
        state = (memory.payload + MemoryLayout<Storage>.offset(of: \Storage.state)!).bindMemory(to: State.self, capacity: 1)
        state.initialize(to: initial)
    }

    /// Runs `body` with the state holding the lock; `body` may `wait` on the condition.
    /// A pointer, not `inout`: other processes change the state while `body` waits, and an
    /// `inout` value may be kept in a register across the wait.
    func withLock<R>(_ body: (UnsafeMutablePointer<State>) throws(ProcessError) -> R) throws(ProcessError) -> R {
        try condition.lock.lock()
        defer { _ = try? condition.lock.unlock() }
        return try body(state)
    }

    /// `withLock` waiting for the lock only until `deadline` (nil: for ever), as the
    /// waits built on it do: nil when it passed (a process stopped while holding the lock).
    func withLock<R>(until deadline: Deadline?, _ body: (UnsafeMutablePointer<State>) throws(ProcessError) -> R) throws(ProcessError) -> R? {
        guard try condition.lock.lock(until: deadline) != nil else { return nil }
        defer { _ = try? condition.lock.unlock() }
        return try body(state)
    }

    /// Inside `withLock`: waits until woken or until `deadline`; false when it passed.
    /// The state may have changed on return.
    func wait(until deadline: Deadline?) throws(ProcessError) -> Bool {
        try condition.wait(until: deadline, reportingOwnerDeath: false)
    }

    /// Inside `withLock`: wakes every waiter (each rechecks the state: a semaphore's
    /// release may let only one of them go).
    func wakeAll() throws(ProcessError) {
        try condition.wakeEveryWaiter()
    }
}
