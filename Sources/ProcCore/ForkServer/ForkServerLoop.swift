import CProcShim

import Glibc

/// The fork server's process: one thread, a poll loop over the control socket, SIGTERM
/// and the pidfds of the children it forked. It forks a child per request, passes the
/// child's pidfd and a status pipe back, and reaps each child, writing its exit code on
/// the pipe. It ends when the control socket closes (its requester is gone) or on
/// SIGTERM, terminating the children still running and reaping them first.
struct ForkServerLoop {
    private struct Served {
        let child: ChildProcess
        /// The write end of the child's status pipe.
        let statusFD: Int32
    }

    private let control: Int32
    private let entries: [String: ServedBody]
    private var served: [Served] = []
    private var buffer = [UInt8](repeating: 0, count: ForkServerMessage.maximumRequestBytes)

    init(control: Int32, entries: [String: ServedBody]) {
        self.control = control
        self.entries = entries
    }

    /// Serves until the requester goes or SIGTERM comes, then terminates the children
    /// still running, reaps them and writes their exit codes.
    mutating func run() {
        defer { finish() }
        guard let signals = try? SignalPipe.install(catching: [SIGTERM]) else { return }
        while true {
            var fds = [pollfd(fd: control, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals.descriptor.rawValue, events: Int16(POLLIN), revents: 0)]
            fds += served.map { pollfd(fd: $0.child.rawProcessDescriptor ?? -1, events: Int16(POLLIN), revents: 0) }
            var ready: Int32 = 0
            guard pc_poll(&fds, Int32(fds.count), -1, &ready) == 0 else { return }
            if fds[1].revents != 0 { return }
            reapEnded(fds[2...].map { $0.revents != 0 })
            if fds[0].revents != 0 && !serveRequest() { return }
        }
    }

    private mutating func finish() {
        for entry in served { try? entry.child.terminate() }
        for entry in served { try? entry.child.join() }
        reapEnded(served.map { _ in true })
    }

    private mutating func reapEnded(_ ended: [Bool]) {
        var still: [Served] = []
        for (entry, hasEnded) in zip(served, ended) {
            guard hasEnded, let code = entry.child.exitCode else {
                still.append(entry)
                continue
            }
            var value = code
            _ = withUnsafeBytes(of: &value) { pc_write_all(entry.statusFD, $0.baseAddress, $0.count) }
            _ = pc_close(entry.statusFD)
        }
        served = still
    }

    /// Reads and serves one request; false when the requester is gone.
    private mutating func serveRequest() -> Bool {
        var length = 0
        var passed = [Int32](repeating: -1, count: Int(PC_FD_PASSING_MAX))
        var passedCount: Int32 = 0
        let received = buffer.withUnsafeMutableBytes { bytes in
            pc_receive_with_fds(control, bytes.baseAddress, bytes.count, &length, &passed, Int32(passed.count), &passedCount)
        }
        if received == EMSGSIZE { return reply(ForkServerMessage.Reply(pid: 0, errno: EMSGSIZE, unknownEntry: false)) }
        guard received == 0, length > 0 else { return false }
        passed = Array(passed[0..<Int(passedCount)])
        defer { for fd in passed { _ = pc_close(fd) } }
        guard let request = try? BinaryDecoder().decode(ForkServerMessage.Request.self, from: Array(buffer[0..<length])) else {
            return reply(ForkServerMessage.Reply(pid: 0, errno: EINVAL, unknownEntry: false))
        }
        guard let body = entries[request.entry] else {
            return reply(ForkServerMessage.Reply(pid: 0, errno: 0, unknownEntry: true))
        }
        var status: [Int32] = [-1, -1]
        let piped = pc_pipe(&status)
        if piped != 0 {
            return reply(ForkServerMessage.Reply(pid: 0, errno: piped, unknownEntry: false))
        }
        // What the child must not hold: the control socket and the other children's
        // status pipes (siblings' pidfds are closed by ChildProcess itself).
        let inherited = [control, status[0], status[1]] + served.map(\.statusFD)
        let argument = request.argument
        let descriptors = passed
        let child = ChildProcess(name: request.entry, isDaemon: true, threadPolicy: .allow) {
            for fd in inherited { _ = pc_close(fd) }
            try body.run(argument, descriptors)
        }
        // SIGTERM stays pending while the child still has the server's handler: pc_fork
        // resets the handlers before it unblocks signals, so a terminate() that comes at
        // once ends the child instead of running the server's handler in it.
        var termination = sigset_t()
        var previous = sigset_t()
        sigemptyset(&termination)
        sigaddset(&termination, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &termination, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        do {
            try child.start()
        } catch {
            _ = pc_close(status[0])
            _ = pc_close(status[1])
            return reply(ForkServerMessage.Reply(pid: 0, errno: error.errno?.rawValue ?? EIO, unknownEntry: false))
        }
        guard let pidfd = child.rawProcessDescriptor, let pid = child.pid else {
            try? child.kill()
            _ = child.exitCode
            _ = pc_close(status[0])
            _ = pc_close(status[1])
            return reply(ForkServerMessage.Reply(pid: 0, errno: ENOSYS, unknownEntry: false))
        }
        served.append(Served(child: child, statusFD: status[1]))
        defer { _ = pc_close(status[0]) }
        return reply(ForkServerMessage.Reply(pid: pid, errno: 0, unknownEntry: false), passing: [pidfd, status[0]])
    }

    private func reply(_ message: ForkServerMessage.Reply, passing fds: [Int32] = []) -> Bool {
        guard let bytes = try? BinaryEncoder().encode(message) else { return false }
        let sent = bytes.withUnsafeBytes { raw in
            fds.withUnsafeBufferPointer { pc_send_with_fds(control, raw.baseAddress, raw.count, $0.baseAddress, Int32($0.count)) }
        }
        return sent == 0
    }
}
