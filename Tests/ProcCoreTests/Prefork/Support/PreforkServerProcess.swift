import CProcShim
import ProcCore
import ProcTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A prefork server with a library handler, run in a forked child of the test process
/// (its master, one thread), its stderr on a pipe the test reads. Stop it with `stop()`
/// in a `defer`.
final class PreforkServerProcess {
    let master: ChildProcess
    let port: Int
    private let logReadEnd: Int32
    private var logged: [UInt8] = []

    /// Starts the server; waits (at most 10 s) for its port. The master exits with code
    /// 0 after its drain, 2 when it halted.
    init(_ options: PreforkOptions, idleTimeout: Duration? = .seconds(10), grace: Duration = .seconds(1), handler: @escaping ConnectionHandler) throws {
        let (portRead, portWrite) = try makePipe()
        defer { _ = pc_close(portRead) }
        let (logRead, logWrite) = try makePipe()
        master = ChildProcess(name: "prefork-master", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: portWrite, logWrite)
            _ = dup2(logWrite, 2)
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.idleTimeout = idleTimeout
            configuration.grace = grace
            configuration.model = .prefork(options)
            let summary = try Self.runServer(configuration, handler: handler) { port in
                var value = Int32(port)
                _ = pc_write_all(portWrite, &value, 4)
                _ = pc_close(portWrite)
            }
            if summary.haltReason != nil { throw ChildProcess.Exit(2) }
        }
        try master.start()
        _ = pc_close(portWrite)
        _ = pc_close(logWrite)
        logReadEnd = logRead
        _ = pc_set_nonblocking(logRead, true)
        let bytes = read(portRead, exactly: 4)
        guard bytes.count == 4 else {
            try? master.kill()
            finish(master)
            _ = pc_close(logRead)
            throw HarnessError("the prefork server reported no port")
        }
        port = Int(bytes.withUnsafeBytes { $0.load(as: Int32.self) })
    }

    /// The one place that builds the server: the public API, as a library user does.
    private static func runServer(_ configuration: ServerConfiguration, handler: @escaping ConnectionHandler, ready: (Int) -> Void) throws -> ServerSummary {
        let server = try Server(configuration: configuration, handler: handler)
        ready(server.port)
        return server.run()
    }

    deinit {
        _ = pc_close(logReadEnd)
    }

    /// Everything the server has logged so far.
    var log: String {
        logged += drain(logReadEnd)
        return String(decoding: logged, as: UTF8.self)
    }

    /// Waits up to `timeout` seconds for a log line containing `text`.
    func waitForLog(containing text: String, timeout: Double = 10) -> Bool {
        TestClock.waitUntil(timeout: timeout) { log.contains(text) }
    }

    /// The master's live workers (its children that are not zombies).
    func workers() -> [pid_t] {
        guard let pid = master.pid else { return [] }
        return childPIDs(of: pid)
    }

    /// Waits up to `timeout` seconds for `count` live workers.
    func waitForWorkers(_ count: Int, timeout: Double = 10) -> Bool {
        TestClock.waitUntil(timeout: timeout) { workers().count == count }
    }

    func connect() throws -> TCPConnection {
        let connection = try TCPConnection(connectingTo: "127.0.0.1", port: port, timeout: .seconds(10))
        try connection.setTimeout(.seconds(10))
        return connection
    }

    /// Sends SIGTERM and waits for the master's end (killing it after 10 s); its exit code.
    @discardableResult
    func stop() -> Int32? {
        try? master.terminate()
        finish(master)
        return master.exitCode
    }
}

/// The live (not zombie) children of `pid`, from /proc/PID/task/PID/children.
func childPIDs(of pid: pid_t) -> [pid_t] {
    let fd = open("/proc/\(pid)/task/\(pid)/children", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { _ = pc_close(fd) }
    let text = String(decoding: drain(fd), as: UTF8.self)
    return text.split(separator: " ").compactMap { pid_t($0.trimmingPrefix(" ")) }.filter { procState($0) != "Z" }
}

extension TCPConnection {
    /// Sends `text` and reads the reply of the same length.
    func roundTrip(_ text: String) throws -> String {
        try writeAll(Array(text.utf8))
        var reply = [UInt8](repeating: 0, count: text.utf8.count)
        let count = try reply.withUnsafeMutableBytes { try readFully(into: $0) }
        return String(decoding: reply[0..<count], as: UTF8.self)
    }
}
