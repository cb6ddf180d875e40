import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve -- PROGRAM [ARGS...]`: tcpserver's model, end to end, on 127.0.0.1.
@Suite("procctl serve -- PROGRAM")
struct ServeProgramTests {
    @Test("tr a-z A-Z serves each connection: its output comes back on the socket")
    func programOutputOnTheSocket() throws {
        let server = try RunningServer(["--grace", "1", "--", "tr", "a-z", "A-Z"])
        defer { server.stop() }
        for index in 0..<3 {
            let connection = try server.connect()
            defer { connection.close() }
            let reply = try connection.stream(Array("hello, world \(index)\nsecond line\n".utf8), timeout: 10)
            #expect(String(decoding: reply, as: UTF8.self) == "HELLO, WORLD \(index)\nSECOND LINE\n")
        }
        #expect(server.waitUntilNoChildren(timeout: 10))
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(server.program.standardError().contains("shut down: served 3 connections, killed 0 children"))
    }

    @Test("The program sees PROTO, TCPREMOTEIP/PORT, TCPLOCALIP/PORT and the server's own environment")
    func tcpserverEnvironment() throws {
        let script = #"printf '%s|%s|%s|%s|%s|%s\n' "$PROTO" "$TCPREMOTEIP" "$TCPREMOTEPORT" "$TCPLOCALIP" "$TCPLOCALPORT" "$PATH""#
        let server = try RunningServer(["--grace", "1", "--", "/bin/sh", "-c", script])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let clientPort = try #require(connection.localPort)
        let reply = String(decoding: try connection.stream([], timeout: 10), as: UTF8.self)
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        #expect(reply == "TCP|127.0.0.1|\(clientPort)|127.0.0.1|\(server.port)|\(path)\n")
    }

    @Test("The program gets none of the service manager's variables and no stale tcpserver one",
          arguments: [[String](), ["--workers", "1"]])
    func withheldEnvironment(model: [String]) throws {
        let serverOnly = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]
        let stale = ["TCPREMOTEHOST", "TCPREMOTEINFO", "TCPLOCALHOST"]
        // Meant for another process (pid 1): the server starts and serves on its own port.
        let environment = [
            "NOTIFY_SOCKET=/nonexistent/procctl-test-notify", "WATCHDOG_USEC=60000000", "WATCHDOG_PID=1",
            "LISTEN_FDS=1", "LISTEN_PID=1", "LISTEN_FDNAMES=stale",
            "TCPREMOTEHOST=stale.example", "TCPREMOTEINFO=stale", "TCPLOCALHOST=stale.example",
            "PROTO=UDP", "TCPREMOTEIP=192.0.2.1", "PROCCTL_TEST_KEPT=kept",
        ]
        let server = try RunningServer(["--grace", "1"] + model + ["--", "/usr/bin/env"], environment: environment)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let reply = String(decoding: try connection.stream([], timeout: 10), as: UTF8.self)
        let lines = Set(reply.split(separator: "\n").map(String.init))
        let names = Set(lines.map { String($0.prefix { $0 != "=" }) })
        #expect(names.isDisjoint(with: serverOnly + stale), "\(reply)")
        #expect(lines.isSuperset(of: ["PROTO=TCP", "TCPREMOTEIP=127.0.0.1", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=\(server.port)", "PROCCTL_TEST_KEPT=kept"]), "\(reply)")
    }

    @Test("After 100 connections to a program: no zombie, no descriptor more than after the first")
    func noZombiesAfterManyConnections() throws {
        let server = try RunningServer(["--grace", "1", "--quiet", "--", "cat"])
        defer { server.stop() }
        let first = try server.connect()
        #expect(try first.stream(Array("first\n".utf8), timeout: 10) == Array("first\n".utf8))
        first.close()
        #expect(server.waitUntilNoChildren(timeout: 10))
        let descriptorsAfterFirst = try #require(ProcessTable.openDescriptors(of: server.pid))
        let started = TestClock.now()
        for index in 0..<100 {
            let connection = try server.connect()
            let message = Array("message \(index)\n".utf8)
            #expect(try connection.stream(message, timeout: 10) == message)
            connection.close()
            if TestClock.now() - started > 30 { Issue.record("100 connections took over 30 s"); break }
        }
        #expect(server.waitUntilNoChildren(timeout: 10), "children left: \(ProcessTable.children(of: server.pid).count)")
        #expect(ProcessTable.zombies(of: server.pid) == 0)
        #expect(ProcessTable.openDescriptors(of: server.pid) == descriptorsAfterFirst)
    }

    @Test("--max-children counts programs: the next connection waits in the backlog until one ends")
    func maxChildrenCountsPrograms() throws {
        let server = try RunningServer(["--max-children", "1", "--grace", "1", "--", "cat"])
        defer { server.stop() }
        let first = try server.connect()
        defer { first.close() }
        #expect(try first.roundTrip("first") == "first")
        #expect(server.program.waitForStandardError(containing: "limit reached", timeout: 5) != nil)
        let second = try server.connect()
        defer { second.close() }
        try second.send("second")
        #expect(!second.hasInput(withinMs: 500))
        first.close()
        #expect(String(decoding: try second.receive(count: 6), as: UTF8.self) == "second")
        #expect(server.waitForChildPIDs(count: 2).count == 2)
    }

    @Test("--idle-timeout holds for a program: its read that waits longer fails and the connection closes")
    func idleTimeoutEndsAProgram() throws {
        let server = try RunningServer(["--idle-timeout", "0.5", "--grace", "1", "--", "cat"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let started = TestClock.now()
        #expect(try connection.roundTrip("then silence") == "then silence")
        #expect(connection.waitForClose(timeoutMs: 10_000))
        #expect(TestClock.now() - started >= 0.4)
        #expect(server.waitUntilNoChildren(timeout: 10))
    }

    @Test("SIGTERM with a program that outlives --grace: it is killed and reaped, the server exits 0")
    func drainKillsAProgramPastGrace() throws {
        let server = try RunningServer(["--grace", "0.3", "--", "sleep", "30"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let program = try #require(server.firstChildPID())
        #expect(ProcessTable.exists(program))
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(server.program.standardError().contains("shut down: served 1 connections, killed 1 children"))
        #expect(connection.waitForClose(timeoutMs: 5000))
        #expect(!ProcessTable.exists(program), "the program outlived its server")
    }

    @Test("A program that cannot run is refused at start: one line naming it, exit 127, nothing listens", arguments: [
        ("no-such-program-procctl", "No such file or directory"),
        ("/etc/passwd", "Permission denied"),
        ("/tmp", "Permission denied"),
    ])
    func programThatCannotRun(program: String, reason: String) throws {
        let run = try Procctl.run(["serve", "--port", "0", "--", program, "an-argument"])
        #expect(run.status == 127)
        #expect(run.standardError == "procctl: cannot run '\(program)': \(reason)\n")
        #expect(run.standardOutput.isEmpty)
    }
}
