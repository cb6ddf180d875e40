import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve`, end to end: the built binary, real sockets on 127.0.0.1, --port 0.
@Suite("procctl serve")
struct ServeTests {
    @Test("--port 0 prints one flushed 'listening on' line with the real port, and SIGTERM exits 0")
    func listeningLine() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        #expect(server.port > 0 && server.port <= 65535)
        let connection = try server.connect()
        #expect(try connection.roundTrip("hello, world") == "HELLO, WORLD")
        connection.close()
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
        // Nothing else on stdout: the listening line was the only one.
        #expect(server.program.readStandardOutput(timeout: 1).isEmpty)
        let log = server.program.standardError()
        #expect(log.contains("connection from 127.0.0.1:"))
        #expect(log.contains("shut down: served 1 connections, killed 0 children"))
    }

    @Test("Many clients at once, each served by its own child")
    func concurrentClients() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let clients = 40
        var connections: [TestConnection] = []
        defer { for connection in connections { connection.close() } }
        for _ in 0..<clients { connections.append(try server.connect()) }
        // Every connection is open at the same time; send on all before reading any.
        for (index, connection) in connections.enumerated() {
            try connection.send("client \(index) says hello")
        }
        for (index, connection) in connections.enumerated() {
            let expected = "CLIENT \(index) SAYS HELLO"
            #expect(String(decoding: try connection.receive(count: expected.utf8.count), as: UTF8.self) == expected)
        }
        let live = ProcessTable.children(of: server.pid).filter { $0.state != "Z" }.count
        #expect(live == clients)
        #expect(Set(server.waitForChildPIDs(count: clients)).count == clients)
        for connection in connections { connection.close() }
        connections.removeAll()
        #expect(server.waitUntilNoChildren(timeout: 10))
    }

    @Test("All 256 byte values come back as Python's bytes.upper() gives them")
    func allByteValues() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let everyByte = (0...255).map { UInt8($0) }
        let payload = everyByte + everyByte.reversed() + everyByte
        let reply = try connection.stream(payload, timeout: 10)
        #expect(reply == pythonUpper(payload))
        // Spot checks against literal values, in case pythonUpper were wrong too.
        #expect(reply[0x61] == 0x41 && reply[0x7a] == 0x5a && reply[0x60] == 0x60 && reply[0x7b] == 0x7b)
        #expect(reply[0x00] == 0x00 && reply[0xe9] == 0xe9 && reply[0xff] == 0xff && reply[0x41] == 0x41)
    }

    @Test("An 8 MiB payload streamed through one connection comes back upper-cased and complete")
    func largePayload() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        var generator = SplitMix64(seed: 42)
        let payload = (0..<(8 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let reply = try connection.stream(payload, timeout: 30)
        #expect(reply.count == payload.count)
        #expect(reply == pythonUpper(payload))
    }

    @Test("A client that resets mid-stream ends its child quietly; the server goes on")
    func resetMidStream() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let connection = try server.connect()
        #expect(try connection.roundTrip("before the reset") == "BEFORE THE RESET")
        // 2 MiB the client never reads: the child is blocked writing when the reset comes.
        try? connection.send([UInt8](repeating: UInt8(ascii: "r"), count: 1 << 20))
        connection.reset()
        let child = try #require(server.firstChildPID())
        let exitLine = server.program.waitForStandardError(containing: "child \(child) exited", timeout: 10)
        #expect(exitLine == "child \(child) exited with code 0")
        #expect(!server.program.standardError().contains("procctl:"))
        let next = try server.connect()
        defer { next.close() }
        #expect(try next.roundTrip("after the reset") == "AFTER THE RESET")
    }

    @Test("A client that half-closes gets its whole reply, then the end of the stream")
    func halfClose() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        try connection.send("half-closed, still reading")
        connection.shutdownWrite()
        let expected = "HALF-CLOSED, STILL READING"
        #expect(String(decoding: try connection.receive(count: expected.utf8.count + 1), as: UTF8.self) == expected)
        let child = try #require(server.firstChildPID())
        #expect(server.program.waitForStandardError(containing: "child \(child) exited", timeout: 10) == "child \(child) exited with code 0")
    }

    @Test("After hundreds of connections: no zombie children, no more descriptors than after the first")
    func noZombiesNoLeaks() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let first = try server.connect()
        #expect(try first.roundTrip("first") == "FIRST")
        first.close()
        #expect(server.waitUntilNoChildren(timeout: 10))
        let descriptorsAfterFirst = try #require(ProcessTable.openDescriptors(of: server.pid))
        let total = 400
        let started = TestClock.now()
        for index in 0..<total {
            let connection = try server.connect()
            #expect(try connection.roundTrip("message \(index)") == "MESSAGE \(index)")
            connection.close()
            if TestClock.now() - started > 30 { Issue.record("400 connections took over 30 s"); break }
        }
        #expect(server.waitUntilNoChildren(timeout: 10), "children left: \(ProcessTable.children(of: server.pid).count), zombies: \(ProcessTable.zombies(of: server.pid))")
        #expect(ProcessTable.zombies(of: server.pid) == 0)
        #expect(ProcessTable.openDescriptors(of: server.pid) == descriptorsAfterFirst)
        // Each child's exit is logged just after it is reaped: allow the last line a moment.
        var exits = 0
        _ = TestClock.waitUntil(timeout: 5) {
            exits = server.program.standardError().split(separator: "\n").filter { $0.hasSuffix("exited with code 0") }.count
            return exits == total + 1
        }
        #expect(exits == total + 1)
    }

    @Test("At --max-children the next connection waits in the backlog and is served once a slot frees")
    func maxChildrenDeferral() throws {
        let server = try RunningServer(["--max-children", "1", "--grace", "1"])
        defer { server.stop() }
        let first = try server.connect()
        defer { first.close() }
        #expect(try first.roundTrip("first") == "FIRST")
        #expect(server.program.waitForStandardError(containing: "limit reached", timeout: 5) != nil)
        // The kernel completes the handshake from the backlog; nobody serves it yet.
        let second = try server.connect()
        defer { second.close() }
        try second.send("second")
        #expect(!second.hasInput(withinMs: 500))
        #expect(server.childPIDs().count == 1)
        first.close()
        let reply = try second.receive(count: 6)
        #expect(String(decoding: reply, as: UTF8.self) == "SECOND")
        #expect(server.waitForChildPIDs(count: 2).count == 2)
    }

    @Test("A connection idle for --idle-timeout is closed; one that keeps talking is not")
    func idleTimeout() throws {
        let server = try RunningServer(["--idle-timeout", "1", "--grace", "1"])
        defer { server.stop() }
        let talker = try server.connect()
        defer { talker.close() }
        let idle = try server.connect()
        defer { idle.close() }
        let started = TestClock.now()
        #expect(try idle.roundTrip("then silence") == "THEN SILENCE")
        // The talker sends every 0.25 s for about 1.5 s, longer than the idle timeout.
        for index in 0..<6 {
            #expect(try talker.roundTrip("tick \(index)") == "TICK \(index)")
            TestClock.sleep(0.25)
        }
        #expect(idle.waitForClose(timeoutMs: 10_000))
        #expect(TestClock.now() - started >= 0.9)
        #expect(try talker.roundTrip("still here") == "STILL HERE")
        #expect(server.program.standardError().contains("connection idle for 1 s, closed"))
    }

    @Test("SIGTERM stops accepting, lets a live connection finish, then exits 0")
    func sigtermDrain() throws {
        let server = try RunningServer(["--grace", "10"])
        defer { server.stop() }
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("before") == "BEFORE")
        let child = try #require(server.firstChildPID())
        server.program.send(signal: SIGTERM)
        #expect(server.program.waitForStandardError(containing: "shutting down", timeout: 5) != nil)
        // The listener is closed: a new connection is refused.
        #expect(throws: TestConnection.ConnectError.self) { try server.connect() }
        // The live connection is still served during the grace period.
        #expect(try live.roundTrip("during the grace") == "DURING THE GRACE")
        #expect(server.program.waitForExit(timeout: 0.3) == nil)
        live.close()
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(server.program.standardError().contains("shut down: served 1 connections, killed 0 children"))
        #expect(!ProcessTable.exists(child))
    }

    @Test("Ctrl-C reaches a terminal's whole process group: a child ignores SIGINT, its connection goes on")
    func childIgnoresSIGINT() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("before ctrl-c") == "BEFORE CTRL-C")
        let child = try #require(server.firstChildPID())
        // The child is the server's own (not yet reaped: its connection is open), so its pid is not reused.
        #expect(kill(child, SIGINT) == 0)
        #expect(try live.roundTrip("after ctrl-c") == "AFTER CTRL-C")
    }

    @Test("SIGINT with a connection that outlives --grace: its child is killed, the server exits 0")
    func graceRunsOut() throws {
        let server = try RunningServer(["--grace", "0.3"])
        defer { server.stop() }
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("stay") == "STAY")
        let child = try #require(server.firstChildPID())
        server.program.send(signal: SIGINT)
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(server.program.standardError().contains("shut down: served 1 connections, killed 1 children"))
        #expect(live.waitForClose(timeoutMs: 5000))
        #expect(!ProcessTable.exists(child))
    }

    @Test("A port in use: one line naming the address and the reason, exit 1")
    func portInUse() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let second = try Procctl.launch(["serve", "--port", "\(server.port)"])
        defer { second.stop() }
        #expect(second.exitCode(timeout: 10) == 1)
        #expect(second.standardError() == "procctl: cannot listen on 127.0.0.1:\(server.port): Address already in use\n")
        #expect(second.readStandardOutput(timeout: 1).isEmpty)
    }

    @Test("Bad arguments: a clear error, a non-zero exit, no trap", arguments: [
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--port=-1"], "--port must be between 0 and 65535"),
        (["--host", "example.com"], "--host must be a numeric IPv4 or IPv6 address"),
        (["--host", "256.1.1.1"], "--host must be a numeric IPv4 or IPv6 address"),
        (["--max-children", "0"], "--max-children must be between"),
        (["--idle-timeout=-1"], "--idle-timeout must be"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let program = try Procctl.launch(["serve"] + arguments)
        defer { program.stop() }
        let code = try #require(program.exitCode(timeout: 10))
        #expect(code > 0)
        let log = program.standardError()
        #expect(log.split(separator: "\n").first?.contains(message) == true, "\(log)")
        #expect(!log.contains("Fatal error") && !log.contains("Stack dump"))
    }
}
