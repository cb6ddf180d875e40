import CProcShim
import ProcTestSupport

import Glibc

/// `procctl serve --port 0` started by a test: waits for its `listening on` line and
/// knows the port it got. Stop it with `stop()` in a `defer`.
final class RunningServer {
    let program: LaunchedProgram
    let port: Int
    /// The line the server printed once listening.
    let listeningLine: String

    /// Starts `procctl serve --port 0` with `arguments` added and waits (at most 10 s)
    /// for its `listening on 127.0.0.1:PORT` line; `executable` is the built procctl
    /// unless a test runs a copy of it; `environment` ("NAME=value") is added to the
    /// server's own.
    init(_ arguments: [String] = [], executable: String = Procctl.path, environment: [String] = []) throws {
        if !environment.isEmpty {
            program = try LaunchedProgram("/usr/bin/env", environment + [executable, "serve", "--port", "0"] + arguments)
        } else if executable == Procctl.path {
            program = try Procctl.launch(["serve", "--port", "0"] + arguments)
        } else {
            program = try LaunchedProgram(executable, ["serve", "--port", "0"] + arguments)
        }
        guard let line = program.readLine(timeout: 10) else {
            program.stop()
            throw HarnessError("the server printed no 'listening on' line; stderr: \(program.standardError())")
        }
        guard line.hasPrefix("listening on 127.0.0.1:"), let port = Int(line.dropFirst("listening on 127.0.0.1:".count)) else {
            program.stop()
            throw HarnessError("unexpected first line: \(line)")
        }
        self.listeningLine = line
        self.port = port
    }

    var pid: pid_t { program.pid }

    /// Connects to the server.
    func connect() throws -> TestConnection {
        try TestConnection(port: port)
    }

    /// The pids of the children the server's log says it started, in order.
    func childPIDs() -> [pid_t] {
        program.standardError().split(separator: "\n").compactMap { (line: Substring) -> pid_t? in
            guard line.hasPrefix("connection from "), let range = line.firstRange(of: ": child ") else { return nil }
            return pid_t(line[range.upperBound...])
        }
    }

    /// Waits up to `timeout` seconds for the log to name `count` children (the parent
    /// logs a child after forking it, possibly after the child has already replied).
    func waitForChildPIDs(count: Int, timeout: Double = 10) -> [pid_t] {
        var pids: [pid_t] = []
        _ = TestClock.waitUntil(timeout: timeout) {
            pids = childPIDs()
            return pids.count >= count
        }
        return pids
    }

    /// The first child the log names, waiting for it as `waitForChildPIDs` does.
    func firstChildPID() -> pid_t? {
        waitForChildPIDs(count: 1).first
    }

    /// Waits up to `timeout` seconds for the server to have no child at all (live or
    /// zombie); true when it has none.
    func waitUntilNoChildren(timeout: Double) -> Bool {
        TestClock.waitUntil(timeout: timeout) { ProcessTable.children(of: pid).isEmpty }
    }

    /// Stops the server by its pid (see `LaunchedProgram.stop()`).
    func stop() {
        program.stop()
    }
}
