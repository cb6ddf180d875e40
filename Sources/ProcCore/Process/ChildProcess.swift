import CProcShim
import Synchronization
import SystemPackage

import Glibc

/// A child process with the semantics of Python's `multiprocessing.Process`: it runs a
/// closure in a forked copy of this process, or an external program.
///
/// ```swift
/// let child = ChildProcess(name: "worker") { print("hello from", getpid()) }
/// try child.start()
/// try child.join()
/// print(child.exitCode!)  // 0
/// ```
///
/// The closure runs in a forked copy of the parent, which has one thread only: it must
/// run synchronous code (no threads, Dispatch or async work), and the safe rule is to
/// start children before starting threads (see `ForkThreadPolicy`). Stdio is flushed
/// before the fork and again when the child leaves through `_exit`.
///
/// `exitCode` follows Python: nil while running, 0 when the closure returns, 1 when it
/// throws, N for `throw ChildProcess.Exit(N)` or `exit(N)`, and -N when signal N ended
/// the child. Signals go through a pidfd, so a pid reaped and reused by the kernel is
/// never signalled. A handle is used from one thread at a time.
public final class ChildProcess {
    private enum Work {
        case closure(() throws -> Void)
        case program(Program)
        /// The closure went to the child: the parent no longer holds what it captured.
        case handedToChild
    }

    private enum State {
        case created
        /// `pidfd` is -1 until something needs it (see `openedPidfd`).
        case running(pid: pid_t, pidfd: Int32)
        case ended(pid: pid_t, exitCode: Int32)
        case closed(pid: pid_t?, exitCode: Int32?)
    }

    private static let warnedAboutThreads = Atomic<Bool>(false)

    /// The name of the process; `Process-N` unless one was given, as in Python.
    public let name: String
    /// A daemon child is terminated when its parent exits; any other child is waited for.
    public let isDaemon: Bool
    /// What `start()` does when this process runs more than one thread.
    public let threadPolicy: ForkThreadPolicy

    private var work: Work
    private var state: State = .created
    /// The process that started the child: in a forked copy of the parent the handle is inert.
    private(set) var ownerPID: pid_t = 0

    /// A child that will run `body` in a forked copy of this process.
    public init(
        name: String? = nil,
        isDaemon: Bool = false,
        threadPolicy: ForkThreadPolicy = .warn,
        _ body: @escaping () throws -> Void
    ) {
        self.name = name ?? Self.defaultName()
        self.isDaemon = isDaemon
        self.threadPolicy = threadPolicy
        self.work = .closure(body)
    }

    /// A child that will execute `program`; nothing of this process's Swift code runs in it.
    public init(name: String? = nil, isDaemon: Bool = false, executing program: Program) {
        self.name = name ?? program.executable
        self.isDaemon = isDaemon
        self.threadPolicy = .allow
        self.work = .program(program)
    }

    deinit {
        guard case .running(let pid, let pidfd) = state, ownerPID == getpid() else { return }
        var ended = false
        var status = pc_exit_status()
        if pc_try_wait(pid, &ended, &status) == 0 && !ended {
            ChildRegistry.shared.adoptOrphan(pid: pid)
        } else {
            if pidfd >= 0 { _ = pc_close(pidfd) }
            ChildRegistry.shared.remove(pid: pid)
        }
    }

    private static func defaultName() -> String {
        "Process-\(ChildRegistry.shared.nextProcessNumber())"
    }

    /// The child's pid once started, nil before.
    public var pid: pid_t? {
        switch state {
        case .created: nil
        case .running(let pid, _), .ended(let pid, _): pid
        case .closed(let pid, _): pid
        }
    }

    /// The running child's pidfd, for a poll loop that waits on many children at once: it
    /// becomes readable when the child ends (reading `exitCode` then reaps it). Opened on
    /// first use, then the same descriptor until the child is reaped. nil before `start()`,
    /// once the child is reaped, and where the kernel has no pidfd. The handle owns it and
    /// closes it when it reaps the child.
    public var processDescriptor: FileDescriptor? {
        rawProcessDescriptor.map(FileDescriptor.init(rawValue:))
    }

    /// `processDescriptor` as a C `int`, for the server's and the fork server's poll sets.
    package var rawProcessDescriptor: Int32? {
        guard case .running(let pid, _) = state else { return nil }
        let pidfd = openedPidfd(of: pid)
        return pidfd >= 0 ? pidfd : nil
    }

    /// Python's `exitcode`: nil until the child has ended, then its exit code, or -N
    /// when signal N ended it. Reading it reaps a child that has ended.
    public var exitCode: Int32? {
        if case .running = state { _ = try? poll() }
        switch state {
        case .ended(_, let code): return code
        case .closed(_, let code): return code
        case .created, .running: return nil
        }
    }

    /// Whether the child has started and not yet ended. Reaps a child that has ended.
    public var isAlive: Bool {
        get throws(ProcessError) {
            switch state {
            case .created, .ended: return false
            case .closed: throw ProcessError(.closed, operation: "isAlive")
            case .running: return try !poll()
            }
        }
    }

    /// Starts the child: forks and runs the closure, or spawns the program.
    ///
    /// Throws `alreadyStarted` the second time, `closed` after `close()`, and
    /// `multithreadedParent` when the thread policy refuses to fork.
    public func start() throws(ProcessError) {
        switch state {
        case .created: break
        case .closed: throw ProcessError(.closed, operation: "start")
        case .running, .ended: throw ProcessError(.alreadyStarted, operation: "start")
        }
        ChildRegistry.shared.reapFinishedOrphans()
        // Before the fork: the child reads it as its parent's pid (`ChildProcess.parent`).
        ownerPID = getpid()
        let pid: pid_t
        switch work {
        case .closure(let body):
            pid = try fork(running: body)
            // As Python drops its reference to the target: what the closure captured is released here.
            work = .handedToChild
        case .program(let program): pid = try spawn(program)
        case .handedToChild: throw ProcessError(.alreadyStarted, operation: "start")
        }
        // No pidfd yet: see `openedPidfd`.
        ChildRegistry.shared.add(pid: pid, pidfd: -1, isDaemon: isDaemon, handle: self)
        state = .running(pid: pid, pidfd: -1)
    }

    /// Blocks until the child ends, and reaps it. Joining an ended child returns at once.
    public func join() throws(ProcessError) {
        guard let (pid, pidfd) = try runningChild(for: "join") else { return }
        var status = pc_exit_status()
        try check("waitpid", pc_wait(pid, &status))
        finish(pid: pid, pidfd: pidfd, status: status)
    }

    /// Waits up to `timeout` for the child to end and reaps it if it did.
    /// Returns true when the child has ended.
    @discardableResult
    public func join(timeout: Duration) throws(ProcessError) -> Bool {
        guard let (pid, _) = try runningChild(for: "join") else { return true }
        var ended = false
        let pidfd = openedPidfd(of: pid)
        try check("poll", pc_wait_ended(pid, pidfd, timeout.roundedUpMilliseconds, &ended))
        guard ended else { return false }
        var status = pc_exit_status()
        try check("waitpid", pc_wait(pid, &status))
        finish(pid: pid, pidfd: pidfd, status: status)
        return true
    }

    /// Sends SIGTERM to the child. Does nothing once it has ended.
    public func terminate() throws(ProcessError) {
        try send(SIGTERM, for: "terminate")
    }

    /// Sends SIGINT to the child, as Python 3.14's `interrupt()` (a Python child raises
    /// `KeyboardInterrupt`; a Swift child without a handler ends with exit code `-SIGINT`).
    /// Does nothing once it has ended.
    public func interrupt() throws(ProcessError) {
        try send(SIGINT, for: "interrupt")
    }

    /// Sends SIGKILL to the child. Does nothing once it has ended.
    public func kill() throws(ProcessError) {
        try send(SIGKILL, for: "kill")
    }

    /// Sends SIGKILL to the process group the child leads (`Program.startsInNewProcessGroup`),
    /// which takes what the child started with it. Only while the child has not been
    /// reaped: until then its pid, and so the group's number, cannot name another group.
    /// Does nothing otherwise, or for a child that leads no group.
    func killProcessGroup() {
        guard case .running(let pid, _) = state else { return }
        _ = Glibc.kill(-pid, SIGKILL)
    }

    /// Sends `signal` to the child through its pidfd. Does nothing once it has ended.
    public func send(signal: Signal) throws(ProcessError) {
        try send(signal.rawValue, for: "send(signal:)")
    }

    /// Releases the handle's resources. Throws `stillRunning` while the child runs;
    /// afterwards every operation but reading `name`, `pid` and `exitCode` throws `closed`.
    public func close() throws(ProcessError) {
        switch state {
        case .created:
            state = .closed(pid: nil, exitCode: nil)
        case .running:
            guard try poll() else { throw ProcessError(.stillRunning, operation: "close") }
            try close()
        case .ended(let pid, let code):
            state = .closed(pid: pid, exitCode: code)
        case .closed:
            break
        }
    }

    /// Reaps the children whose handles were dropped while they ran and have ended since.
    /// `start()` does this too. Returns how many such children still run.
    @discardableResult
    public static func reapDroppedChildren() -> Int {
        ChildRegistry.shared.reapFinishedOrphans()
    }

    // MARK: - Private

    /// The running child's pid and pidfd, nil when it has ended; throws on misuse.
    private func runningChild(for operation: String) throws(ProcessError) -> (pid_t, Int32)? {
        switch state {
        case .created: throw ProcessError(.notStarted, operation: operation)
        case .closed: throw ProcessError(.closed, operation: operation)
        case .ended: return nil
        case .running(let pid, let pidfd):
            guard ownerPID == getpid() else { throw ProcessError(.notOwnChild, operation: operation) }
            return (pid, pidfd)
        }
    }

    /// Reaps the child if it has ended; returns whether it had.
    private func poll() throws(ProcessError) -> Bool {
        guard let (pid, pidfd) = try runningChild(for: "poll") else { return true }
        var ended = false
        var status = pc_exit_status()
        try check("waitpid", pc_try_wait(pid, &ended, &status))
        if ended { finish(pid: pid, pidfd: pidfd, status: status) }
        return ended
    }

    private func finish(pid: pid_t, pidfd: Int32, status: pc_exit_status) {
        if pidfd >= 0 { _ = pc_close(pidfd) }
        ChildRegistry.shared.remove(pid: pid)
        state = .ended(pid: pid, exitCode: status.pythonExitCode)
    }

    /// The running child's pidfd, opened now if it was not yet; -1 where none can be opened
    /// (no pidfd in the kernel, EMFILE), or in a forked copy of the owner.
    ///
    /// Opened on first use, not at the fork: a pidfd costs about 11 µs to open and close
    /// (pidfd_open and close, bench spawn's children on Linux 6.18), which every short-lived
    /// child paid while most are only joined. Until this handle or the registry reaps the
    /// child (and nothing else does: library code never waits for any child), the kernel
    /// keeps its pid reserved, so the pidfd opened later refers to the same child;
    /// `pc_pidfd_open_child` checks that it still is one. Without any pidfd the pid is safe
    /// to signal for the same reason.
    private func openedPidfd(of pid: pid_t) -> Int32 {
        if case .running(_, let pidfd) = state, pidfd >= 0 { return pidfd }
        guard ownerPID == getpid() else { return -1 }
        var pidfd: Int32 = -1
        guard pc_pidfd_open_child(pid, &pidfd) == 0 else { return -1 }
        state = .running(pid: pid, pidfd: pidfd)
        ChildRegistry.shared.record(pidfd: pidfd, of: pid)
        return pidfd
    }

    private func send(_ signal: Int32, for operation: String) throws(ProcessError) {
        guard let (pid, _) = try runningChild(for: operation) else { return }
        let result = pc_signal_child(pid, openedPidfd(of: pid), signal)
        // ESRCH: the child ended between the check and the signal; nothing to do.
        if result != 0 && result != ESRCH { throw .systemCall(operation, result) }
    }

    private func fork(running body: () throws -> Void) throws(ProcessError) -> pid_t {
        try checkThreads()
        var pid: pid_t = 0
        // Read before the fork: in the child, the lazy global's swift_once is one more code
        // page to fault in.
        let registry = ChildRegistry.shared
        try check("fork", pc_fork(&pid))
        guard pid == 0 else { return pid }
        Self.enterChild(of: self)
        registry.resetInChild()
        let code: Int32
        do {
            try body()
            code = 0
        } catch let exit as Exit {
            code = exit.code
        } catch {
            _ = try? FileDescriptor.standardError.writeAll("Process \(name): \(error)\n".utf8)
            code = 1
        }
        registry.finishInChild()
        pc_child_exit(code)
    }

    private func checkThreads() throws(ProcessError) {
        // glibc's flag answers without reading /proc/self/task (three system calls,
        // about 9 µs): a process that never started a thread is the common case.
        guard threadPolicy != .allow, !pc_known_single_threaded() else { return }
        var threads: Int32 = 1
        guard pc_thread_count(&threads) == 0, threads > 1 else { return }
        if threadPolicy == .refuse {
            throw ProcessError(.multithreadedParent, operation: "start")
        }
        if !Self.warnedAboutThreads.exchange(true, ordering: .relaxed) {
            let warning = "warning: forking a process that runs \(threads) threads; "
                + "the child runs only the forking thread\n"
            _ = try? FileDescriptor.standardError.writeAll(warning.utf8)
        }
    }

    private func spawn(_ program: Program) throws(ProcessError) -> pid_t {
        // A C string ends at its first NUL: "a\0b" would run as "a", silently.
        let environmentStrings = program.environment?.flatMap { [$0.key, $0.value] } ?? []
        let strings = [program.executable] + program.arguments + environmentStrings + [program.workingDirectory ?? ""]
        if strings.contains(where: { $0.utf8.contains(0) }) {
            throw ProcessError(.invalidArgument, operation: program.executable, errno: .invalidArgument)
        }
        let arguments = CStringArray([program.executable] + program.arguments)
        let environment = program.environment.map { env in
            CStringArray(env.map { "\($0.key)=\($0.value)" })
        }
        var options = pc_spawn_options()
        pc_spawn_options_init(&options)
        options.search_path = !program.executable.contains("/")
        options.stdin_fd = program.standardInput?.rawValue ?? -1
        options.stdout_fd = program.standardOutput?.rawValue ?? -1
        options.stderr_fd = program.standardError?.rawValue ?? -1
        options.new_process_group = program.startsInNewProcessGroup
        var pid: pid_t = 0
        let result: Int32 = program.workingDirectory.withOptionalCString { directory in
            options.working_directory = directory
            options.environment = environment.map { UnsafePointer($0.pointers) }
            return pc_spawn(program.executable, arguments.pointers, &options, &pid)
        }
        if result != 0 {
            throw ProcessError(.cannotExecute, operation: program.executable, errno: Errno(rawValue: result))
        }
        return pid
    }
}
