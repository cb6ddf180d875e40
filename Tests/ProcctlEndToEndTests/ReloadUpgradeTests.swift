import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve`'s reload (SIGHUP), binary upgrade (SIGUSR2) and `--pid-file`, end to
/// end: the built binary under load from `procctl load`'s client processes, each of which
/// checks every reply.
@Suite("procctl serve: reload, upgrade, pid file", .timeLimit(.minutes(2)))
struct ReloadUpgradeTests {
    /// The two process models.
    enum Model: String, CaseIterable, CustomTestStringConvertible {
        case prefork, forkPerConnection

        var arguments: [String] { self == .prefork ? ["--workers", "4"] : [] }
        /// The log line that says a SIGHUP has been dealt with.
        var reloadDone: String { self == .prefork ? "serves alone after" : "reload (SIGHUP): fork per connection keeps" }
        var testDescription: String { rawValue }
    }

    @Test("Under continuous load, three HUPs and one USR2 upgrade lose no connection", arguments: Model.allCases)
    func noConnectionLostUnderLoad(model: Model) throws {
        let directory = try TemporaryDirectory()
        let pidFile = directory.path + "/serve.pid"
        let server = try RunningServer(model.arguments + ["--grace", "5", "--pid-file", pidFile])
        defer { server.stop() }
        // Four client processes, one connection after another, three checked messages each;
        // the deadline ends the run (what is not started by then is "unfinished").
        let load = try Procctl.launch([
            "load", "--port", "\(server.port)", "--connections", "1000000", "--concurrency", "4",
            "--messages", "3", "--size", "48", "--timeout", "5", "--deadline", "4", "--json",
        ])
        defer { load.stop() }
        #expect(TestClock.waitUntil(timeout: 5) { Self.lines(of: server.program, containing: model == .prefork ? "spawned" : "connection from").count >= 4 })
        TestClock.sleep(0.2)
        for round in 1...3 {
            server.program.send(signal: SIGHUP)
            let done = TestClock.waitUntil(timeout: 5) { Self.lines(of: server.program, containing: model.reloadDone).count >= round }
            #expect(done, "reload \(round) did not finish: \(server.program.standardError().suffix(2000))")
        }
        server.program.send(signal: SIGUSR2)
        let successorPID = try #require(Self.waitForSuccessor(of: server.program), "\(server.program.standardError().suffix(2000))")
        let successor = try ForeignProcess(pid: successorPID)
        defer { successor.stop() }
        #expect(server.program.exitCode(timeout: 10) == 0, "the old master did not drain and exit 0")
        #expect(load.waitForExit(timeout: 0) == nil, "the load ended before the upgrade was over: the test proves nothing")
        let report = try JSONReport.object(String(decoding: load.readStandardOutput(timeout: 15), as: UTF8.self))
        let ok = try #require(report["ok"] as? Int)
        #expect(ok >= 100, "too few connections to mean much: \(report)")
        #expect(report["errors"] as? Int == 0, "\(report)")
        let kinds = try #require(report["errors_by_kind"] as? [String: Int])
        #expect(kinds.values.allSatisfy { $0 == 0 }, "\(kinds)")
        // The new master serves, wrote the pid file, and took the very listener over.
        #expect(PidFileContents.pid(at: pidFile) == successorPID)
        let connection = try TestConnection(port: server.port)
        #expect(try connection.roundTrip("after the upgrade") == "AFTER THE UPGRADE")
        connection.close()
        successor.send(signal: SIGTERM)
        #expect(successor.waitForEnd(timeout: 10))
        #expect(access(pidFile, F_OK) != 0, "the new master left its pid file behind")
    }

    @Test("Prefork: a HUP during a reload is queued, a busy old worker finishes its connection, then the queued reload runs")
    func reloadQueuedBehindBusyWorker() throws {
        let server = try RunningServer(["--workers", "1", "--grace", "2"])
        defer { server.stop() }
        let held = try server.connect()
        defer { held.close() }
        #expect(try held.roundTrip("before") == "BEFORE")
        server.program.send(signal: SIGHUP)
        #expect(server.program.waitForStandardError(containing: "starting generation 1", timeout: 5) != nil)
        #expect(TestClock.waitUntil(timeout: 5) { Self.lines(of: server.program, containing: "spawned").count == 2 })
        server.program.send(signal: SIGHUP)
        #expect(server.program.waitForStandardError(containing: "one is under way; queued", timeout: 5) != nil)
        // The old generation's worker still serves the held connection; the new one the rest.
        #expect(try held.roundTrip("during") == "DURING")
        let fresh = try server.connect()
        #expect(try fresh.roundTrip("fresh") == "FRESH")
        fresh.close()
        #expect(Self.lines(of: server.program, containing: "serves alone").isEmpty)
        held.close()
        #expect(TestClock.waitUntil(timeout: 5) { Self.lines(of: server.program, containing: "generation 2 serves alone").count == 1 },
                "\(server.program.standardError())")
        #expect(Self.lines(of: server.program, containing: "spawned").count == 3)
        let after = try server.connect()
        #expect(try after.roundTrip("after") == "AFTER")
        after.close()
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
    }

    @Test("Fork mode: a HUP leaves a live connection alone and is logged")
    func forkModeReloadKeepsChildren() throws {
        let server = try RunningServer(["--grace", "2"])
        defer { server.stop() }
        let held = try server.connect()
        defer { held.close() }
        #expect(try held.roundTrip("one") == "ONE")
        server.program.send(signal: SIGHUP)
        #expect(server.program.waitForStandardError(containing: "keeps its 1 live children", timeout: 5) != nil, "\(server.program.standardError())")
        #expect(try held.roundTrip("two") == "TWO")
        held.close()
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
    }

    @Test("Upgrade: a new binary that fails, hangs or is missing leaves the old master serving; then a rebuilt one takes over")
    func upgradeFailuresThenRebuild() throws {
        let directory = try TemporaryDirectory()
        let executable = directory.path + "/procctl"
        let pidFile = directory.path + "/serve.pid"
        try Self.copy(Procctl.path, to: executable)
        let server = try RunningServer(["--upgrade-timeout", "1", "--pid-file", pidFile, "--grace", "2"], executable: executable)
        defer { server.stop() }
        #expect(PidFileContents.pid(at: pidFile) == server.pid)

        // A "new build" that exits at once.
        try Self.install(script: "#!/bin/sh\nexit 3\n", at: executable, in: directory)
        server.program.send(signal: SIGUSR2)
        let exited = server.program.waitForStandardError(containing: "upgrade failed:", timeout: 10)
        #expect(exited?.contains("still serving") == true, "\(server.program.standardError())")
        try Self.expectServes(server, "still here")

        // One that never becomes ready: killed after --upgrade-timeout; a second USR2 meanwhile is ignored.
        try Self.install(script: "#!/bin/sh\nexec sleep 30\n", at: executable, in: directory)
        server.program.send(signal: SIGUSR2)
        #expect(TestClock.waitUntil(timeout: 5) { Self.lines(of: server.program, containing: "upgrade: started new master").count == 2 })
        server.program.send(signal: SIGUSR2)
        #expect(server.program.waitForStandardError(containing: "already under way", timeout: 5) != nil, "\(server.program.standardError())")
        let timedOut = server.program.waitForStandardError(containing: "did not serve within 1 s", timeout: 10)
        #expect(timedOut?.contains("(killed); still serving") == true, "\(server.program.standardError())")
        #expect(ProcessTable.children(of: server.pid).isEmpty, "the hung new master was not reaped")
        try Self.expectServes(server, "still here 2")

        // None at all.
        unlink(executable)
        server.program.send(signal: SIGUSR2)
        let missing = server.program.waitForStandardError(containing: "cannot run \(executable)", timeout: 5)
        #expect(missing?.contains("No such file or directory") == true, "\(server.program.standardError())")
        try Self.expectServes(server, "still here 3")
        #expect(PidFileContents.pid(at: pidFile) == server.pid)

        // A rebuilt binary put in place: it, not the deleted file the old master runs, takes over.
        try Self.copy(Procctl.path, to: directory.path + "/procctl.new")
        #expect(rename(directory.path + "/procctl.new", executable) == 0)
        server.program.send(signal: SIGUSR2)
        let successorPID = try #require(Self.waitForSuccessor(of: server.program), "\(server.program.standardError())")
        let successor = try ForeignProcess(pid: successorPID)
        defer { successor.stop() }
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(Self.executable(of: successorPID) == executable)
        #expect(PidFileContents.pid(at: pidFile) == successorPID)
        let connection = try TestConnection(port: server.port)
        #expect(try connection.roundTrip("new binary") == "NEW BINARY")
        connection.close()
    }

    @Test("After an upgrade, the programs the new master runs see none of the handover's variables")
    func upgradeLeavesNoVariablesBehind() throws {
        let server = try RunningServer(["--grace", "2", "--", "/usr/bin/env"])
        defer { server.stop() }
        server.program.send(signal: SIGUSR2)
        let successorPID = try #require(Self.waitForSuccessor(of: server.program), "\(server.program.standardError())")
        let successor = try ForeignProcess(pid: successorPID)
        defer { successor.stop() }
        #expect(server.program.exitCode(timeout: 10) == 0)
        // Only the new master accepts now: this connection runs env under it.
        let connection = try server.connect()
        defer { connection.close() }
        let environment = String(decoding: try connection.stream([], timeout: 10), as: UTF8.self)
        #expect(environment.contains("TCPLOCALPORT=\(server.port)"), "\(environment)")
        for name in ["LISTEN_PID=", "LISTEN_FDS=", "LISTEN_FDNAMES=", "PROCCTL_READY_FD="] {
            #expect(!environment.contains(name), "\(name) leaked into \(environment)")
        }
    }

    @Test("--pid-file: an unwritable one is one clear line and exit 1; a file that holds another pid is left alone")
    func pidFile() throws {
        let refused = try Procctl.run(["serve", "--port", "0", "--pid-file", "/nonexistent-procctl-dir/serve.pid"])
        #expect(refused.status == 1)
        #expect(refused.standardOutput.isEmpty)
        let lines = refused.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("cannot write pid file /nonexistent-procctl-dir/serve.pid: No such file or directory"),
                "\(refused.standardError)")

        let directory = try TemporaryDirectory()
        let path = directory.path + "/serve.pid"
        let server = try RunningServer(["--pid-file", path])
        defer { server.stop() }
        #expect(PidFileContents.pid(at: path) == server.pid)
        // Another process took the file over (an upgrade would): the server must not remove it.
        let other = Array("1\n".utf8)
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        #expect(fd >= 0)
        _ = other.withUnsafeBytes { pc_write_all(fd, $0.baseAddress, $0.count) }
        _ = pc_close(fd)
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(PidFileContents.pid(at: path) == 1)
    }

    // MARK: - Helpers

    private static func lines(of program: LaunchedProgram, containing text: String) -> [Substring] {
        program.standardError().split(separator: "\n").filter { $0.contains(text) }
    }

    /// Waits for the old master's "upgrade: new master PID serves" line; the new master's pid.
    private static func waitForSuccessor(of program: LaunchedProgram) -> pid_t? {
        var pid: pid_t?
        _ = TestClock.waitUntil(timeout: 15) {
            guard let line = lines(of: program, containing: "upgrade: new master ").first(where: { $0.contains(" serves after ") }) else { return false }
            pid = pid_t(line.split(separator: " ")[3])
            return true
        }
        return pid
    }

    private static func expectServes(_ server: RunningServer, _ text: String) throws {
        let connection = try server.connect()
        defer { connection.close() }
        #expect(try connection.roundTrip(text) == text.uppercased())
    }

    /// What /proc/PID/exe names.
    private static func executable(of pid: pid_t) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func copy(_ source: String, to destination: String) throws {
        let cp = try LaunchedProgram("/bin/cp", [source, destination])
        defer { cp.stop() }
        guard cp.exitCode(timeout: 30) == 0 else { throw HarnessError("cp \(source) \(destination) failed: \(cp.standardError())") }
    }

    /// Puts an executable script at `path` the way a deploy does: written beside it, renamed over it.
    private static func install(script: String, at path: String, in directory: TemporaryDirectory) throws {
        let temporary = directory.path + "/script.tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw HarnessError("cannot create \(temporary)") }
        let bytes = Array(script.utf8)
        _ = bytes.withUnsafeBytes { pc_write_all(fd, $0.baseAddress, $0.count) }
        _ = pc_close(fd)
        guard rename(temporary, path) == 0 else { throw HarnessError("rename to \(path) failed") }
    }
}
