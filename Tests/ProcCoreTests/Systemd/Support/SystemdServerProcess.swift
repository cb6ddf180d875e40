import CProcShim
import ProcCore
import ProcTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `Server` run in a forked child of the test as systemd would start it: the sockets
/// the test passes at descriptors 3, 4... with `LISTEN_FDS` and `LISTEN_PID`, and the
/// environment the test gives (`NOTIFY_SOCKET`, `WATCHDOG_USEC`). Its stderr is a pipe
/// the test reads. Stop it with `stop()` in a `defer`.
final class SystemdServerProcess {
    let process: ChildProcess
    /// The port the server says it serves (`Server.port`).
    let port: Int
    private let logReadEnd: Int32
    private var logged: [UInt8] = []

    /// Starts the server; `listenPID` "self" names the child, nil leaves LISTEN_PID unset.
    init(passing listeners: [TCPListener] = [], listenPID: String? = "self", environment: [String: String] = [:],
         configuration: ServerConfiguration, handler: @escaping ConnectionHandler) throws {
        let (portRead, portWrite) = try makePipe()
        defer { _ = pc_close(portRead) }
        let (logRead, logWrite) = try makePipe()
        let passed = listeners.map(\.descriptor)
        process = ChildProcess(name: "systemd-server", threadPolicy: .allow) {
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
            _ = dup2(log, 2)
            if !passed.isEmpty { setenv("LISTEN_FDS", String(passed.count), 1) }
            if let listenPID { setenv("LISTEN_PID", listenPID == "self" ? String(getpid()) : listenPID, 1) }
            for (name, value) in environment { setenv(name, value, 1) }
            let server = try Server(configuration: configuration, handler: handler)
            var value = Int32(server.port)
            _ = pc_write_all(port, &value, 4)
            _ = pc_close(port)
            _ = server.run()
        }
        try process.start()
        _ = pc_close(portWrite)
        _ = pc_close(logWrite)
        logReadEnd = logRead
        _ = pc_set_nonblocking(logRead, true)
        let bytes = read(portRead, exactly: 4)
        guard bytes.count == 4 else {
            try? process.kill()
            finish(process)
            let log = String(decoding: drain(logRead), as: UTF8.self)
            _ = pc_close(logRead)
            throw HarnessError("the server reported no port; stderr: \(log)")
        }
        port = Int(bytes.withUnsafeBytes { $0.load(as: Int32.self) })
    }

    deinit {
        _ = pc_close(logReadEnd)
    }

    /// Everything the server has logged so far.
    var log: String {
        logged += drain(logReadEnd)
        return String(decoding: logged, as: UTF8.self)
    }

    /// Connects to `port` (the server's unless given), sends `line` and returns the reply line.
    func ask(_ line: String, port: Int? = nil) throws -> String {
        let connection = try TCPConnection(connectingTo: "127.0.0.1", port: port ?? self.port, timeout: .seconds(10))
        defer { connection.close() }
        try connection.setTimeout(.seconds(10))
        try connection.writeAll(Array((line + "\n").utf8))
        var lines = LineReader(connection)
        return try lines.next() ?? ""
    }

    /// Sends SIGTERM and waits for the end (killing it after 10 s).
    func stop() {
        try? process.terminate()
        finish(process)
    }
}
