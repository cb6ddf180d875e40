import CProcShim

import Glibc

/// Every child this process started and has not reaped yet, so that none is left a
/// zombie and the exit rules hold.
///
/// - A handle dropped while its child runs leaves the child here; it is reaped by the
///   next `ChildProcess.start()`, by `ChildProcess.reapDroppedChildren()`, or at exit.
/// - At exit (the parent's `exit`, or the end of a forked child's closure) daemon
///   children are terminated and every child is waited for, as Python's
///   multiprocessing does.
final class ChildRegistry: @unchecked Sendable {
    struct Entry {
        var pidfd: Int32
        var isDaemon: Bool
        /// The child's handle while it has one (see `OwnedChildTable.HandleReference`).
        weak var handle: ChildProcess?
    }

    static let shared = ChildRegistry()

    /// Children whose handles still exist (the handle owns the pidfd and reaps the
    /// child), with the lock, on one page: see `OwnedChildTable`.
    private let table = OwnedChildTable()
    private let lock: ForkSafeLock
    /// Owned children beyond the table's capacity.
    @exclusivity(unchecked) private var overflow: [pid_t: Entry] = [:]
    /// Children whose handles were dropped while they ran: the registry owns the pidfd.
    /// Kept apart so that `start()` pays nothing for the owned children.
    @exclusivity(unchecked) private var orphans: [pid_t: Entry] = [:]
    @exclusivity(unchecked) private var exitHandlerInstalled = false

    // The stored properties above are only touched under `lock`, so their run-time
    // exclusivity checks are left out: each wrote a thread-local page per child.
    private init() {
        lock = ForkSafeLock(at: table.mutex)
    }

    func add(pid: pid_t, pidfd: Int32, isDaemon: Bool, handle: ChildProcess) {
        lock.withLock {
            if !table.insert(pid: pid, pidfd: pidfd, isDaemon: isDaemon, handle: handle) {
                overflow[pid] = Entry(pidfd: pidfd, isDaemon: isDaemon, handle: handle)
            }
            if !exitHandlerInstalled {
                exitHandlerInstalled = true
                atexit { ChildRegistry.shared.finishAtExit() }
            }
        }
    }

    /// The number for the next default process name, `Process-N`, from 1 as in Python.
    /// Counted on the table's page, which every `start()` writes anyway: a global counter
    /// was one more page that the parent wrote, and so copied, after every fork.
    func nextProcessNumber() -> Int {
        lock.withLock {
            table.processNumbersGiven += 1
            return table.processNumbersGiven
        }
    }

    /// The handles of the children started here that have not been reaped, in no
    /// particular order (children whose handles were dropped have none).
    func ownedHandles() -> [ChildProcess] {
        lock.withLock { table.liveHandles + overflow.values.compactMap(\.handle) }
    }

    /// The handle opened a pidfd for its child (`ChildProcess.openedPidfd`): the registry
    /// holds it too, to close it in a forked child and to own it if the handle is dropped.
    func record(pidfd: Int32, of pid: pid_t) {
        lock.withLock {
            if !table.setPidfd(pidfd, of: pid) { overflow[pid]?.pidfd = pidfd }
        }
    }

    /// The child was reaped by its handle.
    func remove(pid: pid_t) {
        lock.withLock { _ = takeOwned(pid: pid) }
    }

    /// Takes `pid` out of the owned children; called with the lock held.
    private func takeOwned(pid: pid_t) -> Entry? {
        if let slot = table.remove(pid: pid) { return Entry(pidfd: slot.pidfd, isDaemon: slot.isDaemon) }
        if overflow.isEmpty { return nil }
        return overflow.removeValue(forKey: pid)
    }

    /// The owned children as a dictionary; called with the lock held.
    private var allOwned: [pid_t: Entry] {
        var all = overflow
        for slot in table.all { all[slot.pid] = Entry(pidfd: slot.pidfd, isDaemon: slot.isDaemon) }
        return all
    }

    /// The handle is gone while its child may still run: the registry takes the pidfd.
    func adoptOrphan(pid: pid_t) {
        lock.withLock {
            if let entry = takeOwned(pid: pid) { orphans[pid] = entry }
        }
        reapFinishedOrphans()
    }

    /// Reaps every orphan that has ended; returns how many orphans still run.
    @discardableResult
    func reapFinishedOrphans() -> Int {
        lock.withLock {
            guard !orphans.isEmpty else { return 0 }
            for (pid, entry) in orphans {
                var ended = false
                var status = pc_exit_status()
                if pc_try_wait(pid, &ended, &status) != 0 || ended {
                    if entry.pidfd >= 0 { _ = pc_close(entry.pidfd) }
                    orphans.removeValue(forKey: pid)
                }
            }
            return orphans.count
        }
    }

    /// `finishAtExit` for a forked child leaving its closure: the child runs one thread,
    /// so the tables are read without taking the lock (whose page the child would copy)
    /// and the lock is taken only when the child started children of its own.
    func finishInChild() {
        guard table.count > 0 || !overflow.isEmpty || !orphans.isEmpty else { return }
        finishAtExit()
    }

    /// Terminates the daemon children, then waits for every child, reaping them all.
    func finishAtExit() {
        let (ownedChildren, orphanChildren) = lock.withLock { () -> ([pid_t: Entry], [pid_t: Entry]) in
            // Usually empty (always in a child that started none): the tables are then
            // left unwritten, as in resetInChild.
            guard table.count > 0 || !overflow.isEmpty || !orphans.isEmpty else { return ([:], [:]) }
            defer {
                table.removeAll()
                overflow.removeAll()
                orphans.removeAll()
            }
            return (allOwned, orphans)
        }
        let all = ownedChildren.merging(orphanChildren) { first, _ in first }
        for (pid, entry) in all where entry.isDaemon {
            _ = pc_signal_child(pid, entry.pidfd, SIGTERM)
        }
        for pid in all.keys {
            var status = pc_exit_status()
            _ = pc_wait(pid, &status)
        }
        for entry in orphanChildren.values where entry.pidfd >= 0 { _ = pc_close(entry.pidfd) }
    }

    /// In a freshly forked child: the parent's children are not the child's, so their
    /// pidfds are closed (the parent's handles are inert in the child, see `ownerPID`).
    func resetInChild() {
        lock.reinitializeInChild()
        // Usually there is nothing to close: leave the tables alone then, since every
        // page the child writes is copied.
        guard table.count > 0 || !overflow.isEmpty || !orphans.isEmpty else { return }
        // Every forked server child passes here with its live siblings in the table:
        // no allocation, only their pidfds closed.
        table.forEach { if $0.pidfd >= 0 { _ = pc_close($0.pidfd) } }
        for entry in overflow.values where entry.pidfd >= 0 { _ = pc_close(entry.pidfd) }
        for entry in orphans.values where entry.pidfd >= 0 { _ = pc_close(entry.pidfd) }
        table.removeAll()
        overflow.removeAll(keepingCapacity: false)
        orphans.removeAll(keepingCapacity: false)
    }
}
