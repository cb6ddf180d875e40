import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A `Server` run in a forked child of the test as systemd would start it: the sockets
/// the test passes at descriptors 3, 4... with `LISTEN_FDS` and `LISTEN_PID`, and the
/// environment the test gives (`NOTIFY_SOCKET`, `WATCHDOG_USEC`). Its stderr is a pipe
/// the test reads. Stop it with `stop()` in a `defer`.
final class SystemdServerProcess: ForkedServerProcess {
    /// Starts the server; `listenPID` "self" names the child, nil leaves LISTEN_PID unset.
    init(passing listeners: [SocketListener] = [], listenPID: String? = "self", environment: [String: String] = [:],
         configuration: ServerConfiguration, handler: @escaping ConnectionHandler) throws {
        let passed = listeners.map(\.rawDescriptor)
        try super.init(name: "systemd-server", configuration: configuration, handler: handler) { portWrite, logWrite in
            // Out of the way first (any may be 3 or 4), then every other descriptor of the
            // test process closed (other tests' sockets), then the sockets at 3, 4...
            let high = passed.map { fcntl($0, F_DUPFD, 900) }
            let port = fcntl(portWrite, F_DUPFD, 900)
            let log = fcntl(logWrite, F_DUPFD, 900)
            for fd in Int32(3)..<900 { _ = pc_close(fd) }
            for (index, fd) in high.enumerated() {
                _ = dup2(fd, Int32(3 + index))
                _ = pc_close(fd)
            }
            if !passed.isEmpty { setenv("LISTEN_FDS", String(passed.count), 1) }
            if let listenPID { setenv("LISTEN_PID", listenPID == "self" ? String(getpid()) : listenPID, 1) }
            for (name, value) in environment { setenv(name, value, 1) }
            return (port, log)
        }
    }

    /// Connects to `port` (the server's unless given), sends `line` and returns the reply line.
    func ask(_ line: String, port: Int? = nil) throws -> String {
        let connection = try SocketConnection(connectingTo: .tcp(host: "127.0.0.1", port: port ?? self.port), timeout: .seconds(10))
        try connection.setTimeout(.seconds(10))
        try connection.writeAll(Array((line + "\n").utf8))
        var lines = LineReader(connection)
        return try lines.next() ?? ""
    }
}
