import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve` behind a load balancer: `/healthz` and `/readyz` on the admin address,
/// `--drain-delay`, a drain that serves every connection queued on the listener, and the
/// workers of a master that died, which serve the queue and then let connections be
/// refused rather than reset.
@Suite("procctl serve: health, readiness and a drain that loses nothing")
struct DrainTests {
    /// A server started with `--metrics 127.0.0.1:0`, and its admin port.
    private struct AdminServer {
        let server: RunningServer
        let adminPort: Int

        init(_ arguments: [String]) throws {
            server = try RunningServer(arguments + ["--metrics", "127.0.0.1:0"])
            let prefix = "metrics on http://127.0.0.1:"
            guard let line = server.program.readLine(timeout: 10), line.hasPrefix(prefix), line.hasSuffix("/metrics"),
                let port = Int(line.dropFirst(prefix.count).dropLast("/metrics".count)) else {
                server.stop()
                throw HarnessError("no 'metrics on' line; stderr: \(server.program.standardError())")
            }
            adminPort = port
        }

        /// One GET on the admin address: the status code and the body.
        func get(_ path: String) throws -> (status: Int, body: String) {
            let connection = try TestConnection(port: adminPort)
            defer { connection.close() }
            let reply = String(decoding: try connection.stream(Array("GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n".utf8), timeout: 10), as: UTF8.self)
            guard let head = reply.split(separator: "\r\n\r\n", maxSplits: 1).first, let statusLine = head.split(separator: "\r\n").first else {
                throw HarnessError("no HTTP response: \(reply)")
            }
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw HarnessError("bad status line: \(statusLine)") }
            let body = reply.split(separator: "\r\n\r\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
            return (status, body)
        }

        /// A sample of `/metrics` (`procctl_state{state="draining"}`), or nil.
        func metric(_ sample: String) throws -> Double? {
            let body = try get("/metrics").body
            let line = body.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
            return line.flatMap { Double($0.dropFirst(sample.count + 1)) }
        }

        /// Waits (at most 10 s) for the listener's accept queue to hold `count` connections.
        func waitForQueue(_ count: Int) -> Bool {
            TestClock.waitUntil(timeout: 10) { (try? metric("procctl_accept_queue_length")) == Double(count) }
        }
    }

    /// Connections that each take a worker or child and hold it (an echo answered), then
    /// `queued` more that wait on the listener's queue, with a line sent on each.
    private static func fill(_ admin: AdminServer, busy: Int, queued: Int) throws -> (busy: [TestConnection], queued: [TestConnection]) {
        var holders: [TestConnection] = []
        for index in 0..<busy {
            let connection = try admin.server.connect()
            holders.append(connection)
            #expect(try connection.roundTrip("busy \(index)") == "BUSY \(index)")
        }
        var waiting: [TestConnection] = []
        for index in 0..<queued {
            let connection = try admin.server.connect()
            try connection.send("queued \(index)")
            waiting.append(connection)
        }
        #expect(admin.waitForQueue(queued), "the queue never held \(queued) connections")
        return (holders, waiting)
    }

    /// Reads each queued connection's echo, in order, closing each once answered; how many were.
    private static func served(_ queued: [TestConnection]) -> Int {
        var count = 0
        for (index, connection) in queued.enumerated() {
            let expected = "QUEUED \(index)"
            if let reply = try? connection.receive(count: expected.utf8.count), String(decoding: reply, as: UTF8.self) == expected { count += 1 }
            connection.close()
        }
        return count
    }

    /// Waits (at most 10 s) until a connect to `port` is refused.
    private static func waitUntilRefused(port: Int) -> Bool {
        TestClock.waitUntil(timeout: 10) {
            do {
                let connection = try TestConnection(port: port, timeoutMs: 2000)
                connection.close()
                return false
            } catch let error as TestConnection.ConnectError {
                return error.errno == ECONNREFUSED
            } catch {
                return false
            }
        }
    }

    @Test("/healthz and /readyz: ok and ready; with --drain-delay, SIGTERM fails /readyz while connections are still served")
    func readinessAndTheDrainDelay() throws {
        let admin = try AdminServer(["--workers", "2", "--drain-delay", "60", "--grace", "1"])
        defer { admin.server.stop() }
        #expect(try admin.get("/healthz") == (200, "ok\n"))
        #expect(TestClock.waitUntil(timeout: 10) { (try? admin.get("/readyz")) ?? (0, "") == (200, "ready\n") })
        #expect(try admin.metric("procctl_state{state=\"serving\"}") == 1)
        #expect(try admin.metric("procctl_state{state=\"draining\"}") == 0)
        #expect(try admin.get("/nothing-here").status == 404)
        admin.server.program.send(signal: SIGTERM)
        #expect(TestClock.waitUntil(timeout: 10) { (try? admin.get("/readyz")) ?? (0, "") == (503, "draining\n") })
        #expect(try admin.get("/healthz") == (200, "ok\n"))
        #expect(try admin.metric("procctl_state{state=\"draining\"}") == 1)
        #expect(try admin.metric("procctl_state{state=\"serving\"}") == 0)
        // Still accepting during the delay.
        for index in 0..<3 {
            let connection = try admin.server.connect()
            defer { connection.close() }
            #expect(try connection.roundTrip("in the delay \(index)") == "IN THE DELAY \(index)")
        }
        #expect(admin.server.program.standardError().contains("accepting for 60 s more (drain delay)"))
        // A second SIGTERM stops at once, delay or not.
        admin.server.program.send(signal: SIGTERM)
        #expect(admin.server.program.exitCode(timeout: 10) == 0)
    }

    @Test("A /readyz request that never ends is closed in bounded time; the server and /readyz go on")
    func readyzThatNeverEnds() throws {
        let admin = try AdminServer(["--grace", "1"])
        defer { admin.server.stop() }
        let stuck = try TestConnection(port: admin.adminPort)
        defer { stuck.close() }
        try stuck.send("GET /readyz HTTP/1.1\r\nHost: never-ends\r\n")
        #expect(try admin.get("/readyz") == (200, "ready\n"))
        let connection = try admin.server.connect()
        #expect(try connection.roundTrip("served") == "SERVED")
        connection.close()
        // The endpoint gives a connection 2 s, whatever it does.
        #expect(stuck.waitForClose(timeoutMs: 10_000))
        #expect(try admin.get("/readyz") == (200, "ready\n"))
    }

    @Test("SIGTERM: every connection queued on the listener is served, not reset, then new ones are refused",
          arguments: [["--workers", "2"], ["--max-children", "2"]])
    func queuedConnectionsServedOnSIGTERM(model: [String]) throws {
        let admin = try AdminServer(model + ["--grace", "30"])
        defer { admin.server.stop() }
        let queuedCount = 8
        let (busy, queued) = try Self.fill(admin, busy: 2, queued: queuedCount)
        admin.server.program.send(signal: SIGTERM)
        #expect(admin.server.program.waitForStandardError(containing: "shutting down", timeout: 10) != nil)
        #expect(TestClock.waitUntil(timeout: 10) { (try? admin.get("/readyz").status) == 503 })
        for connection in busy { connection.close() }
        #expect(Self.served(queued) == queuedCount)
        #expect(Self.waitUntilRefused(port: admin.server.port))
        #expect(admin.server.program.exitCode(timeout: 10) == 0)
        #expect(admin.server.program.standardError().contains("shut down: served \(2 + queuedCount) connections, killed 0 children"))
    }

    @Test("A SIGKILLed master: its workers serve the queue, then new connects are refused while a busy one finishes; then they exit")
    func deadMasterLeavesNoTrap() throws {
        let admin = try AdminServer(["--workers", "2", "--grace", "1"])
        defer { admin.server.stop() }
        // Orphans are reaped by init, and their pids may be reused at once: pidfds.
        var pool: [WatchedProcess] = []
        _ = TestClock.waitUntil(timeout: 10) {
            pool.forEach { $0.close() }
            pool = ProcessTable.children(of: admin.server.pid).filter { $0.state != "Z" }.compactMap { WatchedProcess($0.pid) }
            return pool.count == 2
        }
        defer { pool.forEach { $0.close() } }
        #expect(pool.count == 2)
        let queuedCount = 5
        let (busy, queued) = try Self.fill(admin, busy: 2, queued: queuedCount)
        admin.server.program.send(signal: SIGKILL)
        #expect(admin.server.program.waitForExit(timeout: 10) != nil)
        busy[0].close()
        #expect(Self.served(queued) == queuedCount)
        // The listener is gone while the other worker still serves its connection.
        #expect(Self.waitUntilRefused(port: admin.server.port))
        #expect(try busy[1].roundTrip("still served") == "STILL SERVED")
        busy[1].close()
        #expect(pool.allSatisfy { $0.waitForEnd(timeout: 10) })
        #expect(Self.waitUntilRefused(port: admin.server.port))
    }

    @Test("Fork mode, a SIGKILLed master: no child holds the listener, connects are refused, a live child finishes")
    func forkModeDeadMaster() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("before") == "BEFORE")
        server.program.send(signal: SIGKILL)
        #expect(server.program.waitForExit(timeout: 10) != nil)
        #expect(Self.waitUntilRefused(port: server.port))
        #expect(try live.roundTrip("after the master") == "AFTER THE MASTER")
    }
}
