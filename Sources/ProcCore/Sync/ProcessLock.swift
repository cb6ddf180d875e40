import CProcShim

import Glibc

/// A lock shared by this process and the children it forks afterwards, as Python's
/// `multiprocessing.Lock`: a process-shared pthread mutex in shared memory.
///
/// ```swift
/// let lock = try ProcessLock()
/// let child = ChildProcess { try lock.withLock { /* one process at a time */ } }
/// ```
///
/// The lock is robust: when the process holding it dies (even by SIGKILL), the kernel marks
/// it, and the next `lock()` acquires it and returns `.ownerDied` (or `withLock` throws
/// `ProcessError.Code.ownerDied`) instead of waiting for ever. The lock is usable again at
/// once; what it guarded may be half-updated. It is held by a thread: only the thread that
/// locked it may unlock it, and locking it twice from one thread is an error (`EDEADLK`), not
/// a deadlock, unless the lock is `recursive`. Create it before forking the children that
/// use it: they inherit its shared memory.
public final class ProcessLock: @unchecked Sendable {
    /// How `lock()` got the lock.
    public enum Acquisition: Sendable, Equatable {
        /// The lock was free, or released by its holder.
        case acquired
        /// The previous holder died holding it: the lock is consistent again and now held
        /// by the caller, but the data it guards may be half-updated.
        case ownerDied
    }

    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// The shared memory the mutex lives in, kept mapped as long as the lock exists.
    private let memory: SharedMemory

    /// A new, unlocked lock in shared memory of its own. A `recursive` lock (Python's
    /// `RLock`) may be locked again by the thread that holds it, and is free once each
    /// `lock()` has had its `unlock()`.
    public convenience init(recursive: Bool = false) throws(ProcessError) {
        let memory = try SharedMemory(byteCount: MemoryLayout<pthread_mutex_t>.size)
        try self.init(at: memory.bytes.baseAddress!, in: memory, recursive: recursive)
    }

    /// A lock whose mutex lives at `address` inside `memory`, so that a shared value or a
    /// condition keeps it on the same page as what it guards.
    init(at address: UnsafeMutableRawPointer, in memory: SharedMemory, recursive: Bool) throws(ProcessError) {
        mutex = address.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        self.memory = memory
        try check("pthread_mutex_init", pc_mutex_init_shared(mutex, recursive))
    }

    deinit {
        // Dropped while this thread holds it: released first, or glibc's list of the
        // thread's robust mutexes would point into memory about to be unmapped. No
        // pthread_mutex_destroy: other processes may still use their mapping of it.
        _ = pc_mutex_release_if_held(mutex)
    }

    /// Waits for the lock and takes it.
    @discardableResult
    public func lock() throws(ProcessError) -> Acquisition {
        var ownerDied = false
        try check("pthread_mutex_lock", pc_mutex_lock(mutex, nil, &ownerDied))
        return ownerDied ? .ownerDied : .acquired
    }

    /// Waits up to `timeout` for the lock (on the monotonic clock); nil when it timed out.
    public func lock(timeout: Duration) throws(ProcessError) -> Acquisition? {
        try lock(until: Deadline(after: timeout))
    }

    /// Waits until `deadline` (nil: for ever) for the lock; nil when it passed.
    func lock(until deadline: Deadline?) throws(ProcessError) -> Acquisition? {
        var ownerDied = false
        let result = withDeadline(deadline) { pc_mutex_lock(mutex, $0, &ownerDied) }
        if result == ETIMEDOUT { return nil }
        try check("pthread_mutex_clocklock", result)
        return ownerDied ? .ownerDied : .acquired
    }

    /// Takes the lock if it is free; nil when another holds it, or when the calling thread
    /// already holds a lock that is not `recursive` (as Python's `Lock.acquire(False)`
    /// returns False: the lock was not acquired again; a blocking `lock()` throws `EDEADLK`).
    public func tryLock() throws(ProcessError) -> Acquisition? {
        var ownerDied = false
        let result = pc_mutex_try_lock(mutex, &ownerDied)
        // glibc's robust error-checking mutex answers EDEADLK to its holder's trylock.
        if result == EBUSY || result == EDEADLK { return nil }
        try check("pthread_mutex_trylock", result)
        return ownerDied ? .ownerDied : .acquired
    }

    /// Releases the lock; `EPERM` when the calling thread does not hold it.
    public func unlock() throws(ProcessError) {
        try check("pthread_mutex_unlock", pc_mutex_unlock(mutex))
    }

    /// Runs `body` holding the lock, waiting for it as long as it takes.
    ///
    /// When the previous holder died holding it, `body` does not run: the lock is made
    /// consistent and released, and this throws `ownerDied` (call again to go on, after
    /// checking what the lock guards).
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
        try reportOwnerDeath(lock(), operation: "withLock")
        defer { _ = pc_mutex_unlock(mutex) }
        return try body()
    }

    /// `withLock` waiting at most `timeout` for the lock: throws `timedOut` when it could
    /// not be had in time, `ownerDied` as `withLock` does.
    public func withLock<T, E: Error>(timeout: Duration, _ body: () throws(E) -> T) throws -> T {
        guard let acquisition = try lock(timeout: timeout) else {
            throw ProcessError(.timedOut, operation: "withLock")
        }
        try reportOwnerDeath(acquisition, operation: "withLock")
        defer { _ = pc_mutex_unlock(mutex) }
        return try body()
    }

    /// Takes the lock for a short update of what it guards: throws `ownerDied` (releasing
    /// the recovered lock) when the previous holder died, as `withLock` does.
    func lockReportingOwnerDeath(operation: String) throws(ProcessError) {
        try reportOwnerDeath(lock(), operation: operation)
    }

    /// Throws `ownerDied` (releasing the recovered lock) for an acquisition after a holder's death.
    func reportOwnerDeath(_ acquisition: Acquisition, operation: String) throws(ProcessError) {
        guard acquisition == .ownerDied else { return }
        _ = pc_mutex_unlock(mutex)
        throw ProcessError(.ownerDied, operation: operation)
    }
}
