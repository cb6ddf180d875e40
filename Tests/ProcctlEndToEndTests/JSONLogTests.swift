import CProcShim
import Foundation
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve --log-format json`: every stderr line a JSON object with time, level,
/// event and the event's fields, in both models; checked with Foundation's parser.
@Suite("procctl serve --log-format json")
struct JSONLogTests {
    /// Waits up to 10 s for the log to hold a line for `event` that `matches`; returns it.
    private func waitForEvent(_ server: RunningServer, _ event: String, where matches: (JSONLogLine) -> Bool = { _ in true }) -> JSONLogLine? {
        var found: JSONLogLine?
        _ = TestClock.waitUntil(timeout: 10) {
            found = (try? JSONLogLine.all(server.program.standardError()))?.first { $0.event == event && matches($0) }
            return found != nil
        }
        return found
    }

    /// Stops `server` with SIGTERM, expects exit 0 and returns its whole log, parsed.
    private func stopAndParse(_ server: RunningServer) throws -> [JSONLogLine] {
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
        return try JSONLogLine.all(server.program.standardError())
    }

    @Test("Fork per connection: listening, connection (peer, pid), child_exited, shutting_down, stopped; stdout unchanged")
    func forkPerConnection() throws {
        let server = try RunningServer(["--log-format", "json", "--grace", "1"])
        defer { server.stop() }
        #expect(server.listeningLine.hasPrefix("listening on 127.0.0.1:"))
        let connection = try server.connect()
        #expect(try connection.roundTrip("json") == "JSON")
        connection.close()
        let exited = waitForEvent(server, "child_exited")
        let lines = try stopAndParse(server)
        let events = lines.map(\.event)
        #expect(events.first == "listening" && events.last == "stopped", "\(events)")
        let listening = try #require(lines.first)
        #expect(listening["host"] as? String == "127.0.0.1" && listening.int("port") == server.port)
        let accepted = try #require(lines.first { $0.event == "connection" })
        let peer = try #require(accepted["peer"] as? String)
        #expect(peer.hasPrefix("127.0.0.1:") && Int(peer.dropFirst("127.0.0.1:".count)) != nil, "\(peer)")
        let pid = try #require(accepted.int("pid"))
        #expect(accepted.level == "info" && accepted["message"] as? String == "connection from \(peer): child \(pid)")
        #expect(exited?.int("pid") == pid && exited?.int("exit_code") == 0 && exited?["signal"] == nil)
        #expect(lines.first { $0.event == "stopped" }?.int("connections_served") == 1)
        #expect(lines.first { $0.event == "shutting_down" }?.int("live_connections") == 0)
        // Within a few seconds of now: the time is UTC, not local time read as UTC.
        #expect(lines.allSatisfy { abs($0.time.timeIntervalSinceNow) < 60 })
    }

    @Test("A program's exit code, or the signal that ended it", arguments: [("exit 3", "exit_code", 3), ("kill -9 $$", "signal", 9)])
    func childExit(script: String, key: String, value: Int) throws {
        let server = try RunningServer(["--log-format", "json", "--grace", "1", "--", "/bin/sh", "-c", script])
        defer { server.stop() }
        let connection = try server.connect()
        #expect(connection.waitForClose(timeoutMs: 10_000))
        connection.close()
        let exited = try #require(waitForEvent(server, "child_exited"))
        #expect(exited.int(key) == value, "\(exited.object)")
        #expect(exited[key == "signal" ? "exit_code" : "signal"] == nil)
        _ = try stopAndParse(server)
    }

    @Test("An IPv6 peer: peer is [::1]:port")
    func ipv6Peer() throws {
        let program = try Procctl.launch(["serve", "--host", "::1", "--port", "0", "--log-format", "json", "--grace", "1"])
        defer { program.stop() }
        let line = try #require(program.readLine(timeout: 10))
        let port = try #require(Int32(line.dropFirst("listening on [::1]:".count)), "\(line)")
        var fd: Int32 = -1
        try #require(pc_tcp_connect("::1", port, 5000, &fd) == 0)
        let connection = TestConnection(adopting: fd)
        defer { connection.close() }
        #expect(try connection.roundTrip("six") == "SIX")
        connection.close()
        #expect(program.waitForStandardError(containing: "\"child_exited\"", timeout: 10) != nil)
        program.send(signal: SIGTERM)
        #expect(program.exitCode(timeout: 10) == 0)
        let lines = try JSONLogLine.all(program.standardError())
        #expect(lines.first { $0.event == "listening" }?["host"] as? String == "::1")
        let peer = try #require(lines.first { $0.event == "connection" }?["peer"] as? String)
        #expect(peer.hasPrefix("[::1]:") && Int(peer.dropFirst("[::1]:".count)) != nil, "\(peer)")
    }

    @Test("Prefork: worker_spawned, worker_recycled after --max-requests, worker_exited for a killed worker")
    func prefork() throws {
        let server = try RunningServer(["--log-format", "json", "--workers", "1", "--max-requests", "1", "--grace", "1"])
        defer { server.stop() }
        let first = try #require(waitForEvent(server, "worker_spawned")?.int("pid"))
        let connection = try server.connect()
        #expect(try connection.roundTrip("one") == "ONE")
        connection.close()
        let recycled = try #require(waitForEvent(server, "worker_recycled"))
        #expect(recycled.int("pid") == first && recycled.int("served") == 1)
        let second = try #require(waitForEvent(server, "worker_spawned") { $0.int("pid") != first }?.int("pid"))
        #expect(kill(pid_t(second), SIGKILL) == 0)
        let killed = try #require(waitForEvent(server, "worker_exited") { $0.int("pid") == second })
        #expect(killed.int("signal") == 9 && killed.level == "error" && killed.int("served") == 0)
        let lines = try stopAndParse(server)
        #expect(lines.contains { $0.event == "shutting_down" && $0.int("busy_workers") != nil })
    }

    @Test("--quiet in JSON: no routine event, errors still come as JSON")
    func quiet() throws {
        let server = try RunningServer(["--log-format", "json", "--quiet", "--workers", "1", "--grace", "1"])
        defer { server.stop() }
        let connection = try server.connect()
        #expect(try connection.roundTrip("quiet") == "QUIET")
        connection.close()
        var worker: pid_t?
        _ = TestClock.waitUntil(timeout: 10) {
            worker = ProcessTable.children(of: server.pid).first { $0.state != "Z" }?.pid
            return worker != nil
        }
        #expect(kill(try #require(worker), SIGKILL) == 0)
        let killed = waitForEvent(server, "worker_exited")
        #expect(killed?.level == "error" && killed?.int("signal") == 9)
        let lines = try stopAndParse(server)
        #expect(lines.allSatisfy { $0.level != "info" }, "\(lines.map(\.event))")
    }

    @Test("A port in use: one JSON error line, exit 1")
    func portInUse() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let run = try Procctl.run(["serve", "--port", "\(server.port)", "--log-format", "json"])
        #expect(run.status == 1)
        let lines = try JSONLogLine.all(run.standardError)
        #expect(lines.count == 1 && lines.first?.event == "start_failed" && lines.first?.level == "error", "\(run.standardError)")
        #expect((lines.first?["message"] as? String)?.contains("cannot listen on 127.0.0.1:\(server.port)") == true)
    }

    @Test("--log-format xml is a usage error naming the choices")
    func unknownFormat() throws {
        let run = try Procctl.run(["serve", "--port", "0", "--log-format", "xml"])
        #expect(run.status == 64)
        #expect(run.standardError.contains("'xml'") && run.standardError.contains("json"))
    }
}
