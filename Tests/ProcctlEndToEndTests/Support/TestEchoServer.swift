import CProcShim
import ProcTestSupport

import Glibc

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
        guard pc_tcp_listen("127.0.0.1", 0, 128, &listener, &port) == 0 else { throw HarnessError("cannot listen") }
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
        guard rc == 0 else { throw HarnessError("fork failed: errno \(rc)") }
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
            if pc_accept(listener, 0, &fd, nil, 0, nil) != 0 { continue }
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
