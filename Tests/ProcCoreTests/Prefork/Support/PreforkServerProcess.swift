import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A prefork server with a library handler, run in a forked child of the test process
/// (its master, one thread). The master exits with code 0 after its drain, 2 when it halted.
final class PreforkServerProcess: ForkedServerProcess {
    /// The prefork master.
    var master: ChildProcess { process }

    init(_ options: PreforkOptions, idleTimeout: Duration? = .seconds(10), grace: Duration = .seconds(1), handler: @escaping ConnectionHandler) throws {
        var configuration = ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0))
        configuration.idleTimeout = idleTimeout
        configuration.grace = grace
        configuration.model = .prefork(options)
        try super.init(name: "prefork-master", configuration: configuration, handler: handler, setUp: { port, log in
            closeInheritedDescriptors(keeping: port, log)
            return (port, log)
        }, exitCode: { $0.haltReason != nil ? 2 : 0 })
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

    func connect() throws -> SocketConnection {
        let connection = try SocketConnection(connectingTo: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(10))
        try connection.setTimeout(.seconds(10))
        return connection
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

extension SocketConnection {
    /// Sends `text` and reads the reply of the same length.
    func roundTrip(_ text: String) throws -> String {
        try writeAll(Array(text.utf8))
        var reply = [UInt8](repeating: 0, count: text.utf8.count)
        let count = try reply.withUnsafeMutableBytes { try readFully(into: $0) }
        return String(decoding: reply[0..<count], as: UTF8.self)
    }
}
