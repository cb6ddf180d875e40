import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve --unix PATH` end to end: both models, programs, reload, upgrade, socket
/// activation, and what is at the path before and after (issue 16, item 5).
@Suite("procctl serve --unix", .timeLimit(.minutes(2)))
struct UnixSocketServeTests {
    /// The two process models.
    enum Model: String, CaseIterable, CustomTestStringConvertible {
        case prefork, forkPerConnection

        var arguments: [String] { self == .prefork ? ["--workers", "2"] : [] }
        var testDescription: String { rawValue }
    }

    /// `procctl serve --unix PATH` with `arguments`, once it has said `listening on PATH`.
    private static func serve(_ path: String, _ arguments: [String] = []) throws -> LaunchedProgram {
        let program = try Procctl.launch(["serve", "--unix", path, "--grace", "5"] + arguments)
        guard let line = program.readLine(timeout: 10), line == "listening on \(path)" else {
            program.stop()
            throw HarnessError("no 'listening on \(path)' line; stderr: \(program.standardError())")
        }
        return program
    }

    /// Sends `text` on a new connection to `path` and expects it back upper-cased.
    private static func expectServes(_ path: String, _ text: String) throws {
        let connection = try TestConnection(unixPath: path)
        defer { connection.close() }
        #expect(try connection.roundTrip(text) == text.uppercased())
    }

    /// The file type and permission bits at `path` (lstat), or nil when nothing is there.
    private static func mode(of path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode : nil
    }

    private static func isSocket(_ path: String) -> Bool {
        mode(of: path).map { $0 & S_IFMT == S_IFSOCK } ?? false
    }

    @Test("Both models serve the echo on a Unix socket, log the peer as unix:, and remove the file when they stop", arguments: Model.allCases)
    func echo(model: Model) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/echo.sock"
        let server = try Self.serve(path, model.arguments)
        defer { server.stop() }
        #expect(Self.isSocket(path))
        try Self.expectServes(path, "hello over a unix socket")
        let client = try Procctl.run(["client", "--unix", path], timeout: 20)
        #expect(client.status == 0, "\(client.standardError)")
        if model == .forkPerConnection {
            #expect(server.waitForStandardError(containing: "connection from unix: child", timeout: 5) != nil, "\(server.standardError())")
        }
        server.send(signal: SIGTERM)
        #expect(server.exitCode(timeout: 10) == 0)
        #expect(Self.mode(of: path) == nil, "the socket file is still there after the server stopped")
    }

    @Test("A program gets unixserver's variables (PROTO=UNIX, the peer's pid and ids) and none of tcpserver's", arguments: Model.allCases)
    func programEnvironment(model: Model) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/env.sock"
        let server = try Self.serve(path, model.arguments + ["--", "/usr/bin/env"])
        defer { server.stop() }
        let connection = try TestConnection(unixPath: path)
        defer { connection.close() }
        let lines = String(decoding: try connection.stream([], timeout: 10), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.contains("PROTO=UNIX"))
        #expect(lines.contains("UNIXLOCALPATH=\(path)"))
        // The test process itself connected.
        #expect(lines.contains("UNIXREMOTEPID=\(getpid())"), "\(lines)")
        #expect(lines.contains("UNIXREMOTEEUID=\(geteuid())"))
        #expect(lines.contains("UNIXREMOTEEGID=\(getegid())"))
        #expect(lines.contains("UNIXLOCALUID=\(getuid())"))
        #expect(!lines.contains { $0.hasPrefix("TCP") }, "\(lines)")
    }

    @Test("Under continuous load over a Unix socket, two HUPs and one USR2 upgrade lose no connection; the new master keeps the file, then removes it", arguments: Model.allCases)
    func reloadAndUpgradeLoseNothing(model: Model) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/upgrade.sock"
        let server = try Self.serve(path, model.arguments + ["--unix-mode", "600"])
        defer { server.stop() }
        let load = try Procctl.launch([
            "load", "--unix", path, "--connections", "1000000", "--concurrency", "4",
            "--messages", "3", "--size", "48", "--timeout", "5", "--deadline", "4", "--json",
        ])
        defer { load.stop() }
        let loadStarted = TestClock.waitUntil(timeout: 5) {
            server.standardError().split(separator: "\n").filter { $0.contains(model == .prefork ? "spawned" : "connection from") }.count >= 2
        }
        #expect(loadStarted)
        for round in 1...2 {
            server.send(signal: SIGHUP)
            let done = TestClock.waitUntil(timeout: 5) {
                server.standardError().split(separator: "\n").filter { $0.contains(model == .prefork ? "serves alone after" : "reload (SIGHUP)") }.count >= round
            }
            #expect(done, "reload \(round) did not finish: \(server.standardError().suffix(2000))")
        }
        server.send(signal: SIGUSR2)
        var successorPID: pid_t?
        _ = TestClock.waitUntil(timeout: 15) {
            guard let line = server.standardError().split(separator: "\n").first(where: { $0.contains("upgrade: new master ") && $0.contains(" serves after ") }) else { return false }
            successorPID = pid_t(line.split(separator: " ")[3])
            return true
        }
        let pid = try #require(successorPID, "\(server.standardError().suffix(2000))")
        let successor = try ForeignProcess(pid: pid)
        defer { successor.stop() }
        #expect(server.exitCode(timeout: 10) == 0, "the old master did not drain and exit 0")
        #expect(load.waitForExit(timeout: 0) == nil, "the load ended before the upgrade was over: the test proves nothing")
        let report = try JSONReport.object(String(decoding: load.readStandardOutput(timeout: 15), as: UTF8.self))
        #expect(try #require(report["ok"] as? Int) >= 100, "too few connections to mean much: \(report)")
        #expect(report["errors"] as? Int == 0, "\(report)")
        // The old master left the file to the new one, which serves on it with its mode.
        #expect(Self.mode(of: path).map { $0 & 0o777 } == 0o600)
        try Self.expectServes(path, "after the upgrade")
        successor.send(signal: SIGTERM)
        #expect(successor.waitForEnd(timeout: 10))
        #expect(Self.mode(of: path) == nil, "the new master left the socket file behind")
    }

    @Test("--unix-mode sets the file's permissions; without it, bind's (0777 less the umask)")
    func unixMode() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/mode.sock"
        let server = try Self.serve(path, ["--unix-mode", "660"])
        defer { server.stop() }
        #expect(Self.mode(of: path).map { $0 & 0o777 } == 0o660)
        try Self.expectServes(path, "mode")
        server.send(signal: SIGTERM)
        #expect(server.exitCode(timeout: 10) == 0)

        let plain = try Self.serve(path)
        defer { plain.stop() }
        let mask = umask(0o022)
        umask(mask)
        #expect(Self.mode(of: path).map { $0 & 0o777 } == 0o777 & ~mask)
    }

    @Test("A socket file left by a dead server is replaced; one a live server holds is refused with one line, exit 1, and stays")
    func staleAndLive() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/stale.sock"
        // A dead server's file: bound and listened on, then closed without unlinking.
        var fd: Int32 = -1
        try #require(pc_unix_listen(path, 1, &fd) == 0)
        _ = pc_close(fd)
        #expect(Self.isSocket(path))
        let server = try Self.serve(path)
        defer { server.stop() }
        try Self.expectServes(path, "replaced")

        let second = try Procctl.run(["serve", "--unix", path], timeout: 20)
        #expect(second.status == 1)
        let lines = second.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("a live server listens on it"), "\(second.standardError)")
        #expect(Self.isSocket(path))
        try Self.expectServes(path, "still served")
    }

    @Test("A path too long, in a missing directory, a directory or a file that is not a socket: one line, exit 1, nothing removed",
          arguments: ["too long", "missing directory", "directory", "regular file"])
    func badPaths(kind: String) throws {
        let directory = try TemporaryDirectory()
        let path: String
        let expected: String
        var cleanup: () -> Void = {}
        defer { cleanup() }
        switch kind {
        case "too long":
            path = directory.path + "/" + String(repeating: "s", count: 108 - directory.path.utf8.count)
            expected = "a Unix socket's path holds at most 107"
        case "missing directory":
            path = directory.path + "/missing/s.sock"
            expected = "no such directory: \(directory.path)/missing"
        case "directory":
            path = directory.path + "/dir"
            try #require(mkdir(path, 0o755) == 0)
            // TemporaryDirectory removes files only.
            cleanup = { _ = rmdir(path) }
            expected = "it is a directory"
        default:
            path = directory.path + "/file"
            let file = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            try #require(file >= 0)
            close(file)
            expected = "it exists and is not a socket"
        }
        let before = Self.mode(of: path)
        let run = try Procctl.run(["serve", "--unix", path], timeout: 20)
        #expect(run.status == 1)
        let lines = run.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("procctl: cannot listen on \(path): ") && lines[0].contains(expected), "\(run.standardError)")
        #expect(Self.mode(of: path) == before, "what was at the path changed")
    }

    @Test("--unix with --host or --port, --unix-mode without --unix or out of range, --reuse-port with --unix: usage errors",
          arguments: [["--unix", "/tmp/x.sock", "--port", "0"], ["--unix", "/tmp/x.sock", "--host", "::1"], ["--unix-mode", "660"],
                      ["--unix", "/tmp/x.sock", "--unix-mode", "800"], ["--unix", "/tmp/x.sock", "--reuse-port"], ["--unix", ""]])
    func usageErrors(arguments: [String]) throws {
        let run = try Procctl.run(["serve"] + arguments, timeout: 20)
        #expect(run.status == 64, "\(run.standardError)")
        #expect(run.standardError.hasPrefix("Error: "), "\(run.standardError)")
    }

    private static let socketActivate: String? = {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/systemd-socket-activate" }.first { access($0, X_OK) == 0 }
    }()

    @Test("systemd-socket-activate -l PATH: the passed Unix socket is served, and its file is systemd's (left at stop)",
          .enabled(if: socketActivate != nil, "needs systemd-socket-activate (Debian's systemd package)"))
    func socketActivation() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/activated.sock"
        let activator = try LaunchedProgram(Self.socketActivate!, ["-l", path, Procctl.path, "serve", "--workers", "2", "--grace", "5"])
        defer { activator.stop() }
        // It execs procctl at the first connection, which waits in the backlog meanwhile.
        var connection: TestConnection?
        _ = TestClock.waitUntil(timeout: 10, interval: 0.05) {
            connection = try? TestConnection(unixPath: path)
            return connection != nil
        }
        let first = try #require(connection, "systemd-socket-activate never listened: \(activator.standardError())")
        defer { first.close() }
        #expect(try first.roundTrip("activated") == "ACTIVATED")
        #expect(activator.readLine(timeout: 10) == "listening on \(path)")
        activator.send(signal: SIGTERM)
        #expect(activator.exitCode(timeout: 10) == 0)
        #expect(Self.isSocket(path), "the server removed a socket file that systemd made")
    }
}
