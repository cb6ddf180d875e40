import CProcShim
import Synchronization

import Glibc

/// A small single-threaded process that forks children on behalf of a program that runs
/// threads or async code, as Python's forkserver does.
///
/// ```swift
/// let work = ForkEntryPoint<Int>("work") { n in print("task", n) }
/// let server = try ForkServer(serving: work)       // the first thing main does
/// // ... later, from any thread or task:
/// let child = try server.start(work, with: 42)
/// try child.join()                                 // or: try await child.join()
/// ```
///
/// fork(2) copies only the calling thread, so a child forked from a multithreaded process
/// can hang on a lock another thread held. Created before any thread starts, the server is
/// a one-thread copy of the program; every child is forked from it, never from the
/// threaded program. The requester is not the child's parent: the server passes back the
/// child's pidfd (signals) and a pipe on which it writes the exit code once it has reaped
/// the child, so `ForkServer.Child` keeps `ChildProcess`'s meanings.
///
/// A child can run only what exists in the server: an entry point given to the server
/// when it was created, with a `Codable` argument (the types say so: no closure is sent).
/// The server ends, terminating and reaping the children still running, when `stop()` is
/// called, when the server is dropped, or when this process exits.
public final class ForkServer: Sendable {
    private struct Control {
        var fd: Int32
        var process: ChildProcess?
    }

    private let control: Mutex<Control>
    private let entryNames: Set<String>
    /// The server's pid.
    public let pid: pid_t

    /// Forks the server, which will be able to run `entries`. Call it before this
    /// process starts any thread (first thing in `main`): the server is forked from
    /// here, under `threadPolicy`, and everything it forks later is forked from it.
    public init(serving entries: any ForkServerEntry..., threadPolicy: ForkThreadPolicy = .warn) throws(ProcessError) {
        var bodies: [String: ServedBody] = [:]
        for entry in entries {
            guard bodies.updateValue(entry.servedBody, forKey: entry.name) == nil else {
                throw ProcessError(.invalidArgument, operation: "ForkServer: two entries named \(entry.name)")
            }
        }
        var pair: [Int32] = [-1, -1]
        try check("socketpair", pc_seqpacket_pair(&pair))
        let (requesterEnd, serverEnd) = (pair[0], pair[1])
        let served = bodies
        let process = ChildProcess(name: "fork-server", isDaemon: true, threadPolicy: threadPolicy) {
            _ = pc_close(requesterEnd)
            var loop = ForkServerLoop(control: serverEnd, entries: served)
            loop.run()
        }
        do {
            try process.start()
        } catch {
            _ = pc_close(requesterEnd)
            _ = pc_close(serverEnd)
            throw error
        }
        _ = pc_close(serverEnd)
        pid = process.pid ?? 0
        entryNames = Set(bodies.keys)
        control = Mutex(Control(fd: requesterEnd, process: process))
    }

    deinit {
        stop()
    }

    /// Starts a child that runs `entry` with `argument`, forked by the server. Safe from
    /// any thread. Throws `.unknownEntryPoint` for an entry the server was not created
    /// with, `.forkServerUnavailable` once the server has ended.
    public func start<Argument>(_ entry: ForkEntryPoint<Argument>, with argument: Argument) throws(ProcessError) -> Child {
        try start(entryNamed: entry.name, argument: BinaryEncoder().encode(argument))
    }

    /// Starts a child running the entry called `name`, passing it `descriptors` (the
    /// server's child receives copies; the caller's stay open).
    func start(entryNamed name: String, argument: [UInt8], passing descriptors: [Int32] = []) throws(ProcessError) -> Child {
        guard entryNames.contains(name) else { throw ProcessError(.unknownEntryPoint, operation: "start \(name)") }
        let request = try BinaryEncoder().encode(ForkServerMessage.Request(entry: name, argument: argument))
        guard request.count <= ForkServerMessage.maximumRequestBytes, descriptors.count <= Int(PC_FD_PASSING_MAX) else {
            throw ProcessError(.invalidArgument, operation: "start \(name): argument over 64 KiB or too many descriptors")
        }
        return try control.withLock { control throws(ProcessError) -> Child in
            guard control.fd >= 0 else { throw ProcessError(.forkServerUnavailable, operation: "start \(name)") }
            let sent = request.withUnsafeBytes { raw in
                descriptors.withUnsafeBufferPointer {
                    pc_send_with_fds(control.fd, raw.baseAddress, raw.count, $0.baseAddress, Int32($0.count))
                }
            }
            if sent != 0 { throw ProcessError(.forkServerUnavailable, operation: "start \(name)", errno: .init(rawValue: sent)) }
            var buffer = [UInt8](repeating: 0, count: 256)
            var length = 0
            var fds: [Int32] = [-1, -1]
            var fdCount: Int32 = 0
            let received = buffer.withUnsafeMutableBytes {
                pc_receive_with_fds(control.fd, $0.baseAddress, $0.count, &length, &fds, 2, &fdCount)
            }
            guard received == 0, length > 0 else {
                throw ProcessError(.forkServerUnavailable, operation: "start \(name)")
            }
            let reply: ForkServerMessage.Reply
            do throws(ProcessError) {
                reply = try BinaryDecoder().decode(ForkServerMessage.Reply.self, from: Array(buffer[0..<length]))
            } catch {
                for fd in fds[0..<Int(fdCount)] { _ = pc_close(fd) }
                throw error
            }
            if reply.unknownEntry { throw ProcessError(.unknownEntryPoint, operation: "start \(name)") }
            guard reply.errno == 0, fdCount == 2 else {
                for fd in fds[0..<Int(fdCount)] { _ = pc_close(fd) }
                throw .systemCall("fork (in the fork server)", reply.errno == 0 ? EPROTO : reply.errno)
            }
            return Child(name: name, pid: reply.pid, pidfd: fds[0], statusFD: fds[1])
        }
    }

    /// Ends the server: it terminates the children it started that still run, reaps
    /// them, and exits; this waits for that. Their handles then report the exit codes
    /// (or `.forkServerUnavailable` for a child that was not reaped). Idempotent.
    public func stop() {
        let process = control.withLock { control -> ChildProcess? in
            // shutdown, not only close: a process forked from this one since the server
            // started holds a copy of the descriptor, and would keep the server waiting.
            if control.fd >= 0 {
                _ = pc_shutdown_write(control.fd)
                _ = pc_close(control.fd)
            }
            control.fd = -1
            defer { control.process = nil }
            return control.process
        }
        if let process { try? process.join() }
    }
}
