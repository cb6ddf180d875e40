import CProcShim

import Glibc

/// The name and pid of a process, as `ChildProcess.current` and `ChildProcess.parent` give them.
public struct ProcessIdentity: Sendable, Equatable, CustomStringConvertible {
    /// The name of the `ChildProcess` the process runs for, or `MainProcess` for a process
    /// that no `ChildProcess` forked, as in Python.
    public let name: String
    /// Its process id.
    public let pid: pid_t

    /// Creates an identity.
    public init(name: String, pid: pid_t) {
        self.name = name
        self.pid = pid
    }

    /// `name (pid)`.
    public var description: String { "\(name) (\(pid))" }
}

extension ChildProcess {
    /// The process this code runs in, as Python's `current_process()`: inside a closure
    /// run by `ChildProcess`, that child's name and pid; elsewhere `MainProcess`.
    public static var current: ProcessIdentity {
        ProcessIdentity(name: handle(pc_process_context_get().current)?.name ?? "MainProcess", pid: getpid())
    }

    /// Inside a forked child: the process that started it (its pid as it was at the start,
    /// even if it has ended since), as Python's `parent_process()`. nil in the main process.
    public static var parent: ProcessIdentity? {
        let context = pc_process_context_get()
        guard let child = handle(context.current) else { return nil }
        return ProcessIdentity(name: handle(context.parent)?.name ?? "MainProcess", pid: child.ownerPID)
    }

    /// The children this process started that are still running, as Python's
    /// `active_children()`: each handle is polled, and those that ended are reaped (and
    /// left out), as are ended children whose handles were dropped (which are not listed:
    /// there is no handle to give).
    public static func activeChildren() -> [ChildProcess] {
        ChildRegistry.shared.reapFinishedOrphans()
        return ChildRegistry.shared.ownedHandles().filter { (try? $0.isAlive) == true }
    }

    /// In the child of `handle`, first thing after the fork: makes it `current` (and the
    /// parent's current its parent).
    ///
    /// Set in the child: the thread-local block (see `pc_process_context`) shares its page
    /// with the thread's descriptor, which the fork writes in the child anyway. Set in the
    /// parent, it was written twice around every fork (before, and restored after), and the
    /// parent faulted on that page once per child: perf's page-fault samples over `bench
    /// spawn` went from 9.4 to 8.4 per child in the parent, 14 in the child either way.
    /// Unretained: in the child the handle lives on the stack of `start()` until the child
    /// exits, as its parent's handle does before it.
    static func enterChild(of handle: ChildProcess) {
        let context = pc_process_context_get()
        pc_process_context_set(pc_process_context(current: Unmanaged.passUnretained(handle).toOpaque(), parent: context.current))
    }

    private static func handle(_ pointer: UnsafeMutableRawPointer?) -> ChildProcess? {
        pointer.map { Unmanaged<ChildProcess>.fromOpaque($0).takeUnretainedValue() }
    }
}
