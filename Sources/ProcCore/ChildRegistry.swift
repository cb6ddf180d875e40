import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// Every child this process started and has not reaped yet, so that none is left a
/// zombie and the exit rules hold.
///
/// - A handle dropped while its child runs leaves the child here; it is reaped by the
///   next `ChildProcess.start()`, by `ChildProcess.reapFinishedChildren()`, or at exit.
/// - At exit (the parent's `exit`, or the end of a forked child's closure) daemon
///   children are terminated and every child is waited for, as Python's
///   multiprocessing does.
final class ChildRegistry: @unchecked Sendable {
    struct Entry {
        var pidfd: Int32
        var isDaemon: Bool
        /// True once no handle owns the entry: the registry then closes the pidfd.
        var isOrphan: Bool
    }

    static let shared = ChildRegistry()

    private let lock = ForkSafeLock()
    private var entries: [pid_t: Entry] = [:]
    private var exitHandlerInstalled = false

    func add(pid: pid_t, pidfd: Int32, isDaemon: Bool) {
        lock.withLock {
            entries[pid] = Entry(pidfd: pidfd, isDaemon: isDaemon, isOrphan: false)
            if !exitHandlerInstalled {
                exitHandlerInstalled = true
                atexit { ChildRegistry.shared.finishAtExit() }
            }
        }
    }

    /// The child was reaped by its handle.
    func remove(pid: pid_t) {
        lock.withLock { _ = entries.removeValue(forKey: pid) }
    }

    /// The handle is gone while its child may still run: the registry takes the pidfd.
    func adoptOrphan(pid: pid_t) {
        lock.withLock { entries[pid]?.isOrphan = true }
        reapFinishedOrphans()
    }

    /// Reaps every orphan that has ended; returns how many orphans still run.
    @discardableResult
    func reapFinishedOrphans() -> Int {
        lock.withLock {
            var running = 0
            for (pid, entry) in entries where entry.isOrphan {
                var ended = false
                var status = pc_exit_status()
                if pc_try_wait(pid, &ended, &status) != 0 || ended {
                    if entry.pidfd >= 0 { _ = pc_close(entry.pidfd) }
                    entries.removeValue(forKey: pid)
                } else {
                    running += 1
                }
            }
            return running
        }
    }

    /// Terminates the daemon children, then waits for every child, reaping them all.
    func finishAtExit() {
        let children = lock.withLock { () -> [pid_t: Entry] in
            // Usually empty (always in a child that started none): the table is then
            // left unwritten, as in resetInChild.
            guard !entries.isEmpty else { return [:] }
            let all = entries
            entries.removeAll()
            return all
        }
        for (pid, entry) in children where entry.isDaemon {
            _ = pc_signal_child(pid, entry.pidfd, SIGTERM)
        }
        for (pid, entry) in children {
            var status = pc_exit_status()
            _ = pc_wait(pid, &status)
            if entry.pidfd >= 0 && entry.isOrphan { _ = pc_close(entry.pidfd) }
        }
    }

    /// In a freshly forked child: the parent's children are not the child's, so their
    /// pidfds are closed (the parent's handles are inert in the child, see `ownerPID`).
    func resetInChild() {
        lock.reinitializeInChild()
        // Usually there is nothing to close: leave the table alone then, since every
        // page the child writes is copied.
        guard !entries.isEmpty else { return }
        for entry in entries.values where entry.pidfd >= 0 { _ = pc_close(entry.pidfd) }
        entries.removeAll(keepingCapacity: false)
    }
}
