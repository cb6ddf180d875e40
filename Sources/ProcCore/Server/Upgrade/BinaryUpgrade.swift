import CProcShim
import SystemPackage

import Glibc

/// The old master's side of a binary upgrade (SIGUSR2), as nginx and unicorn do it: the
/// program file is exec'd again, with the same arguments, as a child that takes the
/// listening socket over the systemd way (`LISTEN_FDS=1`, `LISTEN_PID` = its own pid, the
/// socket at descriptor 3) and says on a pipe (`NAME_READY_FD`, descriptor 4) when it
/// serves (`UpgradeHandover`). Then the old master stops accepting and drains; if the new
/// one ends, closes the pipe or misses the timeout first, it is killed and reaped, and
/// the old one goes on serving.
///
/// The listener is never closed or shut down meanwhile, so the kernel refuses no
/// connection: both masters accept from the one queue until the old one leaves.
final class BinaryUpgrade {
    /// How an upgrade under way turned out.
    enum Outcome {
        /// The new master serves: this one must stop accepting and drain.
        case ready(pid: pid_t, elapsed: Duration)
        /// The new master could not take over (it has been reaped): this one serves on.
        case failed(ServerEvent)
    }

    /// A new master started and not yet ready.
    private struct Attempt {
        let pid: pid_t
        let pidfd: Int32
        let readyPipe: Int32
        let started: MonotonicInstant
    }

    /// The program file to exec: where this process was started from, resolved at start,
    /// so that a file replaced there since (a new build) is the one that runs.
    let executablePath: String
    private let arguments: [String]
    private let timeout: Duration
    /// The variable that names the ready pipe (`ServerIdentity.readyVariable`).
    private let readyVariable: String
    private var attempt: Attempt?

    /// An upgrade plan for this process: its program file and arguments as started; the
    /// new master finds its ready pipe in `readyVariable`.
    init(timeout: Duration, readyVariable: String) {
        self.timeout = timeout
        self.readyVariable = readyVariable
        arguments = CommandLine.arguments
        executablePath = Self.startedExecutable(arguments.first ?? "")
    }

    /// Whether a new master has been started and is not ready yet.
    var isUnderWay: Bool { attempt != nil }

    /// The ready pipe, for the caller's poll set (-1 when no upgrade is under way): it
    /// becomes readable when the new master is ready, or has ended.
    var readyDescriptor: Int32 { attempt?.readyPipe ?? -1 }

    /// The moment by which `check` must run again, or nil when no upgrade is under way.
    func nextCheck(after now: MonotonicInstant) -> MonotonicInstant? {
        guard let attempt else { return nil }
        // A new master that ends while a worker it forked holds the pipe gives no end of
        // file: look every 100 ms.
        return min(attempt.started + timeout, now + Self.endCheck)
    }

    /// How often an upgrade under way looks whether its new master has ended.
    private static let endCheck: Duration = .milliseconds(100)

    /// Starts the new master on `listener`; returns the event to log.
    func start(listener: SocketListener) -> ServerEvent {
        if let attempt {
            return ServerEvent(
                "upgrade_ignored", .warning, "upgrade: already under way (new master \(attempt.pid)); SIGUSR2 ignored",
                ["new_pid": .pid(attempt.pid)])
        }
        let pipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do {
            pipe = try FileDescriptor.closeOnExecPipe()
        } catch {
            return Self.failure("upgrade failed: \(error); still serving")
        }
        defer { _ = pc_close(pipe.writeEnd.rawValue) }
        let environment = CStringArray(Self.environmentForNewMaster(readyVariable: readyVariable))
        let argv = CStringArray(arguments.isEmpty ? [executablePath] : arguments)
        var pid: pid_t = 0
        let result = pc_spawn_with_listener(
            executablePath, argv.pointers, environment.pointers, environment.count,
            listener.rawDescriptor, pipe.writeEnd.rawValue, &pid)
        guard result == 0 else {
            _ = pc_close(pipe.readEnd.rawValue)
            return Self.failure("upgrade failed: cannot run \(executablePath): \(ProcessError.systemCall("exec", result).reason); still serving")
        }
        _ = pc_set_nonblocking(pipe.readEnd.rawValue, true)
        var pidfd: Int32 = -1
        if pc_pidfd_open(pid, &pidfd) != 0 { pidfd = -1 }
        attempt = Attempt(pid: pid, pidfd: pidfd, readyPipe: pipe.readEnd.rawValue, started: .now)
        return ServerEvent(
            "upgrade_started", .info, "upgrade: started new master \(pid) (\(executablePath)); waiting up to \(timeout.secondsText) s for it to serve",
            ["new_pid": .pid(pid), "path": .string(executablePath), "timeout_s": .seconds(timeout)])
    }

    /// Looks at the upgrade under way: nil while it is still under way (or none is).
    func check(at now: MonotonicInstant) -> Outcome? {
        guard let attempt else { return nil }
        var byte: UInt8 = 0
        var count = 0
        let result = pc_read(attempt.readyPipe, &byte, 1, &count)
        if result == 0 && count == 1 && byte == UpgradeHandover.readyByte {
            finish()
            return .ready(pid: attempt.pid, elapsed: now - attempt.started)
        }
        if result == 0 && count == 0 {
            return .failed(abandon(because: "new master \(attempt.pid) closed its ready pipe before it served"))
        }
        if result != 0 && result != EAGAIN && result != EWOULDBLOCK {
            return .failed(abandon(because: "reading the ready pipe: \(ProcessError.systemCall("read", result))"))
        }
        var ended = false
        if pc_has_ended(attempt.pid, &ended) == 0 && ended {
            return .failed(abandon(because: "new master \(attempt.pid) ended before it served"))
        }
        if now - attempt.started >= timeout {
            return .failed(abandon(because: "new master \(attempt.pid) did not serve within \(timeout.secondsText) s"))
        }
        return nil
    }

    /// Kills and reaps the new master of the upgrade under way (it failed, or this server
    /// stops first); returns why, with how it ended.
    @discardableResult
    func abandon(because reason: String) -> ServerEvent {
        guard let attempt else { return Self.failure(reason) }
        _ = pc_signal_child(attempt.pid, attempt.pidfd, SIGKILL)
        var status = pc_exit_status()
        _ = pc_wait(attempt.pid, &status)
        finish()
        let how = status.signaled ? (status.signal == SIGKILL ? "killed" : "killed by signal \(status.signal)") : "exit code \(status.code)"
        return Self.failure("upgrade failed: \(reason) (\(how)); still serving", newMaster: attempt.pid)
    }

    /// `upgrade_failed`: this master serves on.
    private static func failure(_ message: String, newMaster: pid_t? = nil) -> ServerEvent {
        if let newMaster { return ServerEvent("upgrade_failed", .error, message, ["new_pid": .pid(newMaster)]) }
        return ServerEvent("upgrade_failed", .error, message)
    }

    /// `upgrade_handed_over`: the new master serves, this one stops accepting and drains.
    static func handedOver(to newMaster: pid_t, after elapsed: Duration) -> ServerEvent {
        ServerEvent(
            "upgrade_handed_over", .info,
            "upgrade: new master \(newMaster) serves after \(elapsed.roundedUpMilliseconds) ms; this master (\(getpid())) stops accepting and drains",
            ["new_pid": .pid(newMaster), "elapsed_ms": .int(Int(elapsed.roundedUpMilliseconds)), "pid": .pid(getpid())])
    }

    /// Forgets the attempt: the new master is on its own (or reaped).
    private func finish() {
        guard let attempt else { return }
        _ = pc_close(attempt.readyPipe)
        if attempt.pidfd >= 0 { _ = pc_close(attempt.pidfd) }
        self.attempt = nil
    }

    /// This process's environment, without what a passed listener or an earlier upgrade
    /// left there, with the new master's listener and ready pipe named
    /// (`pc_spawn_with_listener` adds LISTEN_PID in the child).
    private static func environmentForNewMaster(readyVariable: String) -> [String] {
        let replaced = (SocketActivation.variables + [readyVariable]).map { $0 + "=" }
        var entries: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if !replaced.contains(where: { text.hasPrefix($0) }) { entries.append(text) }
            entry += 1
        }
        entries.append("LISTEN_FDS=1")
        entries.append("\(readyVariable)=\(PC_SPAWN_READY_FD)")
        return entries
    }

    /// The program file this process was started from: argv[0] made absolute (looked up
    /// in PATH without a slash, as the shell did), which still names a symlink or a file
    /// replaced since; else what /proc/self/exe names, without the kernel's " (deleted)".
    private static func startedExecutable(_ argv0: String) -> String {
        if argv0.hasPrefix("/") { return argv0 }
        if argv0.contains("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + argv0
            }
        } else if !argv0.isEmpty, let found = try? Program(argv0).resolvingExecutable() {
            return found.executable.hasPrefix("/") ? found.executable : startedExecutable(found.executable)
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard pc_executable_path(&buffer, buffer.count) == 0 else { return argv0 }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
