import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the load and bench tests: run the built procctl, and small echo servers
/// forked from the test process. Only the shim and libc are used, so that these tests do
/// not depend on what they measure.
enum MeasureSupport {
    /// What one run of procctl printed and how it ended.
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// A failure of the test's own machinery, with what was seen.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// `procctl` beside the test bundle in the build folder (`swift test` builds both).
    static let procctlPath: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        var path = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        while !path.isEmpty && !path.hasSuffix("/") { path.removeLast() }
        return path + "procctl"
    }()

    /// Runs procctl with `arguments`, stdin from /dev/null, and waits for it; kills it by
    /// its pid when it outlives `timeoutSeconds`.
    static func runProcctl(_ arguments: [String], timeoutSeconds: Double = 20) throws -> Outcome {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard pc_pipe(&out) == 0, pc_pipe(&err) == 0 else { throw Failure("pipe2 failed") }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        var options = pc_spawn_options()
        pc_spawn_options_init(&options)
        options.stdin_fd = devNull
        options.stdout_fd = out[1]
        options.stderr_fd = err[1]
        let argv = ([procctlPath] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = pc_spawn(procctlPath, argv, &options, &pid)
        for fd in [devNull, out[1], err[1]] { _ = pc_close(fd) }
        guard rc == 0 else {
            _ = pc_close(out[0]); _ = pc_close(err[0])
            throw Failure("cannot run \(procctlPath): errno \(rc)")
        }
        let deadline = pc_monotonic_ns() + Int64(timeoutSeconds * 1e9)
        let (stdout, stderr) = drain(out[0], err[0], until: deadline)
        var ended = false
        var status = pc_exit_status()
        while pc_monotonic_ns() < deadline {
            if pc_try_wait(pid, &ended, &status) != 0 || ended { break }
            usleep(10_000)
        }
        if !ended {
            // Not reaped yet, so the pid is still this child's.
            kill(pid, SIGKILL)
            _ = pc_wait(pid, &status)
            throw Failure("procctl \(arguments) did not end within \(timeoutSeconds) s; stderr: \(stderr)")
        }
        return Outcome(status: status.exited ? Int32(status.code) : -Int32(status.signal), standardOutput: stdout, standardError: stderr)
    }

    /// Reads both pipes to their ends (or until `deadline`), then closes them.
    private static func drain(_ first: Int32, _ second: Int32, until deadline: Int64) -> (String, String) {
        var texts: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            let left = (deadline - pc_monotonic_ns()) / 1_000_000
            guard left > 0 else { break }
            let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: left))
            guard ready > 0 else { continue }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    texts[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    fds[index].fd = -1
                }
            }
        }
        _ = pc_close(first)
        _ = pc_close(second)
        return (String(decoding: texts[0], as: UTF8.self), String(decoding: texts[1], as: UTF8.self))
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then released).
    static func unusedPort() throws -> Int32 {
        var fd: Int32 = -1
        var port: Int32 = 0
        guard pc_tcp_listen("127.0.0.1", 0, 1, &fd, &port) == 0 else { throw Failure("cannot listen") }
        _ = pc_close(fd)
        return port
    }
}

/// A small echo server in a process forked from the test, serving one connection at a
/// time. It leaves by itself after 20 s without a connection, and `stop()` kills it by
/// its pid.
final class TestEchoServer {
    /// What the server does with each connection.
    enum Behaviour: Int32 {
        /// Echoes every byte with a-z upper-cased, like procctl serve.
        case upperCasing
        /// Echoes every byte unchanged: every reply is wrong for an upper-casing client.
        case plainEcho
        /// Accepts and resets the connection at once.
        case resetting
    }

    /// The port it listens on.
    let port: Int32
    private let pid: pid_t
    private var stopped = false

    init(_ behaviour: Behaviour) throws {
        var listener: Int32 = -1
        var port: Int32 = 0
        guard pc_tcp_listen("127.0.0.1", 0, 128, &listener, &port) == 0 else { throw MeasureSupport.Failure("cannot listen") }
        // Allocated before the fork: the child runs no Swift code that allocates or locks.
        let capacity = 65536
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        var pid: pid_t = 0
        let rc = pc_fork(&pid)
        if rc == 0 && pid == 0 {
            Self.serve(listener: listener, behaviour: behaviour.rawValue, buffer: buffer, capacity: capacity)
        }
        buffer.deallocate()
        _ = pc_close(listener)
        guard rc == 0 else { throw MeasureSupport.Failure("fork failed: errno \(rc)") }
        self.port = port
        self.pid = pid
    }

    deinit { stop() }

    /// Kills the server by its pid and reaps it.
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGKILL)
        var status = pc_exit_status()
        _ = pc_wait(pid, &status)
    }

    /// The child's loop: plain C calls over buffers made before the fork.
    private static func serve(listener: Int32, behaviour: Int32, buffer: UnsafeMutablePointer<UInt8>, capacity: Int) -> Never {
        while true {
            var revents: Int16 = 0
            if pc_poll_one(listener, Int16(POLLIN), 20_000, &revents) != 0 || revents == 0 { pc_child_exit(0) }
            var fd: Int32 = -1
            if pc_accept(listener, &fd, nil, 0) != 0 { continue }
            _ = pc_socket_set_timeout(fd, 5000)
            if behaviour == Behaviour.resetting.rawValue {
                _ = pc_socket_set_reset_on_close(fd)
                _ = pc_close(fd)
                continue
            }
            while true {
                var count = 0
                if pc_read(fd, buffer, capacity, &count) != 0 || count == 0 { break }
                if behaviour == Behaviour.upperCasing.rawValue {
                    for i in 0..<count where buffer[i] >= 97 && buffer[i] <= 122 { buffer[i] -= 32 }
                }
                if pc_write_all(fd, buffer, count) != 0 { break }
            }
            _ = pc_close(fd)
        }
    }
}
