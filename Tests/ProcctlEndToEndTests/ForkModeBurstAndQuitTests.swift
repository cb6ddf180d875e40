import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// Fork per connection under a burst of short connections (children are reaped every few
/// accepts) and on SIGQUIT (everything it started is killed at once).
@Suite("Fork mode: reaping in bursts, SIGQUIT")
struct ForkModeBurstAndQuitTests {
    /// The master's children, zombies included, as /proc lists them.
    private static func childCount(of pid: pid_t) -> Int {
        guard let bytes = FileSystem.contents(ofFile: "/proc/\(pid)/task/\(pid)/children") else {
            return ProcessTable.children(of: pid).count
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: " ").count
    }

    @Test("8 clients making 2000 short connections: the master's children stay near 8 and the limit is never reached")
    func childrenStayNearTheConcurrency() throws {
        let server = try RunningServer(["--max-children", "64", "--grace", "1"])
        defer { server.stop() }
        let load = try Procctl.launch(["load", "--port", "\(server.port)", "--connections", "2000", "--concurrency", "8", "--json"])
        defer { load.stop() }
        var most = 0
        let finished = TestClock.waitUntil(timeout: 240, interval: 0.002) {
            most = max(most, Self.childCount(of: server.pid))
            return load.waitForExit(timeout: 0) != nil
        }
        #expect(finished)
        #expect(load.exitCode(timeout: 10) == 0, "\(load.standardError())")
        // 8 at work, and some that have answered and are on their way out.
        #expect(most <= 32, "the master had \(most) children at a time")
        #expect(!server.program.standardError().contains("limit reached"))
    }

    @Test("SIGQUIT stops fork mode at once: a program on a held connection, and what it started, are killed; the master exits")
    func quitKillsProgramsAndTheirGroups() throws {
        // The program starts a sleep of its own, says its pid, then echoes.
        let server = try RunningServer(["--grace", "60", "--", "/bin/sh", "-c", "sleep 600 & echo $!; exec cat"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        var line: [UInt8] = []
        while line.last != UInt8(ascii: "\n") && line.count < 32 {
            let byte = try connection.receive(count: 1)
            if byte.isEmpty { break }
            line += byte
        }
        let sleeper = pid_t(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        guard let program = server.waitForChildPIDs(count: 1).first, sleeper > 0 else {
            throw HarnessError("no program pid or no sleep pid: \(line); stderr: \(server.program.standardError())")
        }
        #expect(try connection.roundTrip("held") == "held")
        server.program.send(signal: SIGQUIT)
        // At once: the grace is 60 s.
        #expect(server.program.exitCode(timeout: 20) == 0, "\(server.program.standardError())")
        let gone = { (pid: pid_t) in ProcStat(pid).map { $0.state == "Z" } ?? true }
        #expect(TestClock.waitUntil(timeout: 10) { gone(program) }, "the program \(program) outlived the master")
        #expect(TestClock.waitUntil(timeout: 10) { gone(sleeper) }, "the program's sleep \(sleeper) outlived the master")
        #expect(connection.waitForClose(timeoutMs: 10_000))
        if !gone(sleeper) { kill(sleeper, SIGKILL) }
        if !gone(program) { kill(program, SIGKILL) }
    }
}
