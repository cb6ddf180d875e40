import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A `Server` built through the public API in a forked child of the test process, as a
/// library user builds one: its port comes back on a pipe, its stderr on another that the
/// test reads. Stop it with `stop()` in a `defer`.
class ForkedServerProcess {
    /// The server's process (the prefork master, when it preforks).
    let process: ChildProcess
    /// The port the server says it serves (`Server.port`).
    let port: Int
    private let logReadEnd: Int32
    private var logged: [UInt8] = []

    /// Starts the server and waits (at most 10 s) for its port. In the child, `setUp`
    /// runs first with the port and log pipes' write ends and returns where they are
    /// afterwards (it may close the test's other descriptors and move these); the child's
    /// exit code is `exitCode` of the server's summary.
    init(name: String, configuration: ServerConfiguration, handler: @escaping ConnectionHandler,
         setUp: @escaping (_ port: Int32, _ log: Int32) -> (port: Int32, log: Int32),
         exitCode: @escaping (ServerSummary) -> Int32 = { _ in 0 }) throws {
        let (portRead, portWrite) = try makePipe()
        defer { _ = pc_close(portRead) }
        let (logRead, logWrite) = try makePipe()
        process = ChildProcess(name: name, threadPolicy: .allow) {
            let (port, log) = setUp(portWrite, logWrite)
            _ = dup2(log, 2)
            let server = try Server(configuration: configuration, handler: handler)
            var value = Int32(server.port)
            _ = pc_write_all(port, &value, 4)
            _ = pc_close(port)
            let code = exitCode(server.run())
            if code != 0 { throw ChildProcess.Exit(code) }
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
            throw HarnessError("the \(name) server reported no port; stderr: \(log)")
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

    /// Sends SIGTERM and waits for the end (killing it after 10 s); its exit code.
    @discardableResult
    func stop() -> Int32? {
        try? process.terminate()
        finish(process)
        return process.exitCode
    }
}
