import Glibc

/// A pthread mutex that a forked child can reinitialise: fork copies the lock in
/// whatever state another thread left it, and only a fresh lock is safe to use there.
final class ForkSafeLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Whether `mutex` was allocated here (else its memory belongs to the caller).
    private let ownsMemory: Bool

    init() {
        mutex = .allocate(capacity: 1)
        ownsMemory = true
        pthread_mutex_init(mutex, nil)
    }

    /// A lock whose mutex lives in `memory`, which must outlive the lock: lets a caller
    /// keep the mutex on the same page as the data it guards.
    init(at memory: UnsafeMutablePointer<pthread_mutex_t>) {
        mutex = memory
        ownsMemory = false
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        if ownsMemory { mutex.deallocate() }
    }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// In a freshly forked child only: forgets whatever state the parent's threads left.
    func reinitializeInChild() {
        // Only when some thread held it at the fork: a page the child writes is copied,
        // and an unlocked default mutex is already in its initial state.
        guard mutex.pointee.__data.__lock != 0 else { return }
        pthread_mutex_init(mutex, nil)
    }
}
