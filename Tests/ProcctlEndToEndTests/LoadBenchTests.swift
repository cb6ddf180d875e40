import CProcShim
import Foundation
import Testing

import Glibc

/// `procctl load` and `procctl bench spawn`, run as a user runs them, against servers
/// started here. They check that the commands count and report correctly, never a speed.
@Suite("procctl load and bench", .timeLimit(.minutes(1)))
struct LoadBenchTests {
    @Test("load counts every connection, with sane rates and latencies, against an upper-casing server")
    func loadAgainstUpperCasingServer() throws {
        let server = try TestEchoServer(.upperCasing)
        defer { server.stop() }
        let run = try Procctl.run([
            "load", "--port", "\(server.port)", "--connections", "60", "--concurrency", "4",
            "--messages", "3", "--size", "100", "--json",
        ])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try JSONReport.object(run.standardOutput)
        #expect(report["ok"] as? Int == 60)
        #expect(report["errors"] as? Int == 0)
        #expect(report["unfinished"] as? Int == 0)
        let kinds = try #require(report["errors_by_kind"] as? [String: Int])
        #expect(Set(kinds.keys) == ["refused", "reset", "timed_out", "wrong_reply", "closed_early", "other"])
        #expect(kinds.values.allSatisfy { $0 == 0 })
        let connectionsPerSecond = try #require(JSONReport.number(report["connections_per_s"]))
        let messagesPerSecond = try #require(JSONReport.number(report["messages_per_s"]))
        let megabytesPerSecond = try #require(JSONReport.number(report["mb_per_s"]))
        let elapsed = try #require(JSONReport.number(report["elapsed_s"]))
        #expect(connectionsPerSecond > 0 && elapsed > 0)
        // 60 connections in `elapsed` seconds; the JSON rounds the rate to 0.1 and the time
        // to 0.001 s, which on a fast run (60 connections in 15 ms) is itself a 3% error.
        let roundingError = 0.05 * elapsed + connectionsPerSecond * 0.0005
        #expect(abs(connectionsPerSecond * elapsed - 60) <= roundingError + 60 * 0.05 + 0.1)
        #expect(abs(messagesPerSecond - 3 * connectionsPerSecond) < 0.5)
        #expect(abs(megabytesPerSecond - messagesPerSecond * 100 / 1e6) < 0.002)
        let latency = try #require(report["latency_ms"] as? [String: Any])
        let p50 = try #require(JSONReport.number(latency["p50"]))
        let p99 = try #require(JSONReport.number(latency["p99"]))
        let maximum = try #require(JSONReport.number(latency["max"]))
        #expect(p50 > 0 && p50 <= p99 && p99 <= maximum)
        #expect(maximum <= elapsed * 1000 + 1)
    }

    @Test("load prints a readable table without --json")
    func loadPrintsTable() throws {
        let server = try TestEchoServer(.upperCasing)
        defer { server.stop() }
        let run = try Procctl.run(["load", "--port", "\(server.port)", "--connections", "10", "--concurrency", "2"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("load: 127.0.0.1:\(server.port), 10 connections, 2 at a time") == true)
        for label in ["connections/s", "messages/s", "MB/s", "latency ms", "errors", "unfinished"] {
            #expect(lines.contains { $0.hasPrefix(label) }, "no \(label) line in \(run.standardOutput)")
        }
        #expect(lines.contains("ok             10"))
        // Not a terminal: no progress line.
        #expect(run.standardError.isEmpty)
    }

    @Test("load counts a reply that is not upper-cased as a wrong reply, and exits 1")
    func loadCountsWrongReplies() throws {
        let server = try TestEchoServer(.plainEcho)
        defer { server.stop() }
        let run = try Procctl.run(["load", "--port", "\(server.port)", "--connections", "12", "--concurrency", "3", "--json"])
        #expect(run.status == 1)
        let report = try JSONReport.object(run.standardOutput)
        #expect(report["ok"] as? Int == 0)
        #expect(report["errors"] as? Int == 12)
        #expect((report["errors_by_kind"] as? [String: Int])?["wrong_reply"] == 12)
        #expect((report["latency_ms"] as? [String: Any])?["p50"] is NSNull)
    }

    @Test("load counts refused connections when nothing listens")
    func loadCountsRefused() throws {
        let port = try LoopbackPort.unused()
        let run = try Procctl.run(["load", "--port", "\(port)", "--connections", "8", "--concurrency", "2", "--json"])
        #expect(run.status == 1)
        let report = try JSONReport.object(run.standardOutput)
        #expect((report["errors_by_kind"] as? [String: Int])?["refused"] == 8)
        #expect(report["ok"] as? Int == 0)
    }

    @Test("load counts resets")
    func loadCountsResets() throws {
        let server = try TestEchoServer(.resetting)
        defer { server.stop() }
        let run = try Procctl.run(["load", "--port", "\(server.port)", "--connections", "6", "--concurrency", "2", "--json"])
        #expect(run.status == 1)
        let report = try JSONReport.object(run.standardOutput)
        let kinds = try #require(report["errors_by_kind"] as? [String: Int])
        // A reset that lands before the request is written fails the write (EPIPE or
        // ECONNRESET); one that lands after fails the read: both are resets.
        #expect(kinds["reset"] == 6, "\(kinds)")
    }

    @Test("load times out on a server that never replies, and the deadline bounds the run")
    func loadTimesOutAndStopsAtDeadline() throws {
        // Listening but never accepting: the kernel completes the handshakes, no reply comes.
        var listener: Int32 = -1
        var port: Int32 = 0
        try #require(pc_tcp_listen("127.0.0.1", 0, 16, &listener, &port) == 0)
        defer { _ = pc_close(listener) }
        let started = pc_monotonic_ns()
        let run = try Procctl.run([
            "load", "--port", "\(port)", "--connections", "10", "--concurrency", "1",
            "--timeout", "0.3", "--deadline", "0.2", "--json",
        ])
        let seconds = Double(pc_monotonic_ns() - started) / 1e9
        #expect(run.status == 1)
        let report = try JSONReport.object(run.standardOutput)
        #expect((report["errors_by_kind"] as? [String: Int])?["timed_out"] == 1)
        #expect(report["unfinished"] as? Int == 9)
        #expect(seconds < 5)
    }

    @Test("load --duration opens connections until the time is up, and --timeline adds them up by second")
    func loadForADuration() throws {
        let server = try TestEchoServer(.upperCasing)
        defer { server.stop() }
        let run = try Procctl.run([
            "load", "--port", "\(server.port)", "--duration", "1", "--concurrency", "2", "--timeout", "5", "--json", "--timeline",
        ])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try JSONReport.object(run.standardOutput)
        let ok = try #require(report["ok"] as? Int)
        #expect(ok > 0)
        #expect(report["errors"] as? Int == 0)
        #expect(report["unfinished"] as? Int == 0)
        #expect(report["connections"] as? Int == ok)
        #expect(JSONReport.number(report["duration_s"]) == 1)
        // The workers start connections for a second; the last one ends within its timeout.
        let elapsed = try #require(JSONReport.number(report["elapsed_s"]))
        #expect(elapsed >= 0.99 && elapsed < 1 + 5 + 1, "elapsed \(elapsed)")
        let started = try #require(JSONReport.number(report["started_unix_s"]))
        #expect(abs(started - Double(time(nil))) < 60)
        let timeline = try #require(report["timeline"] as? [[String: Any]])
        // Connections start in seconds 0 and 1 (a worker's clock starts a moment after
        // the parent's), none later.
        #expect((1...2).contains(timeline.count), "\(timeline)")
        #expect(timeline.indices.allSatisfy { timeline[$0]["second"] as? Int == $0 })
        #expect(timeline.compactMap { $0["ok"] as? Int }.reduce(0, +) == ok)
        #expect(timeline.allSatisfy { $0["errors"] as? Int == 0 })
        #expect(timeline.allSatisfy { ($0["errors_by_kind"] as? [String: Int])?.count == 6 })
    }

    @Test("load --timeline places the failures after a server's stop in the seconds after it")
    func loadTimelinePlacesAStop() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let load = try Procctl.launch([
            "load", "--port", "\(server.port)", "--duration", "4", "--concurrency", "2", "--timeout", "5", "--json", "--timeline",
        ])
        defer { load.stop() }
        // Once the load is under way, the server goes: every later connection is refused.
        #expect(server.program.waitForStandardError(containing: "connection from", timeout: 20) != nil)
        server.stop()
        let output = String(decoding: load.readStandardOutput(timeout: 30), as: UTF8.self)
        #expect(load.exitCode(timeout: 10) == 1)
        let report = try JSONReport.object(output)
        let ok = try #require(report["ok"] as? Int)
        let errors = try #require(report["errors"] as? Int)
        let refused = try #require((report["errors_by_kind"] as? [String: Int])?["refused"])
        #expect(ok > 0 && refused > 0, "\(output)")
        let timeline = try #require(report["timeline"] as? [[String: Any]])
        let okBySecond = timeline.map { $0["ok"] as? Int ?? -1 }
        let errorsBySecond = timeline.map { $0["errors"] as? Int ?? -1 }
        #expect(okBySecond.reduce(0, +) == ok && errorsBySecond.reduce(0, +) == errors)
        #expect(timeline.compactMap { ($0["errors_by_kind"] as? [String: Int])?["refused"] }.reduce(0, +) == refused)
        // The failures begin in the second of the stop; no connection succeeds after it.
        let firstFailure = try #require(errorsBySecond.firstIndex { $0 > 0 })
        #expect(okBySecond[(firstFailure + 1)...].allSatisfy { $0 == 0 }, "\(timeline)")
        #expect(errorsBySecond[..<firstFailure].allSatisfy { $0 == 0 })
    }

    @Test("load --timeline prints one line per second after the table; --duration names the time in the first line")
    func loadTimelineTable() throws {
        let port = try LoopbackPort.unused()
        let run = try Procctl.run(["load", "--port", "\(port)", "--duration", "0.5", "--concurrency", "2", "--timeline"])
        #expect(run.status == 1)
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("load: 127.0.0.1:\(port), for 0.5 s, 2 at a time") == true, "\(lines)")
        let heading = try #require(lines.firstIndex(of: "timeline: connections by the second in which they started"))
        let columns = lines[heading + 1].split(separator: " ").map(String.init)
        #expect(columns.prefix(4) == ["second", "UTC", "ok", "errors"])
        let rows = lines[(heading + 2)...].map { $0.split(separator: " ").map(String.init) }
        // Connections start in second 0 (in second 1 too when a worker was slow to start).
        #expect((1...2).contains(rows.count), "\(lines)")
        for (second, row) in rows.enumerated() {
            // The second, its time of day, ok, errors, then one count per failure kind.
            #expect(row.count == 4 + 6, "\(row)")
            #expect(row.first == String(second) && row.dropFirst().first?.count == 8)
            // No success; every failure a refused connect.
            #expect(row.dropFirst(2).first == "0" && row.dropFirst(3).first == row.dropFirst(4).first, "\(row)")
        }
        #expect(rows.compactMap { Int($0.dropFirst(3).first ?? "") }.reduce(0, +) > 0)
    }

    @Test("load rejects bad arguments with one line and a non-zero exit", arguments: [
        ["--host", "localhost"], ["--port", "70000"], ["--connections", "0"], ["--size", "0"], ["--timeout", "-1"],
        ["--duration", "0"], ["--duration", "1", "--connections", "5"], ["--duration", "5", "--deadline", "2"],
    ])
    func loadRejectsBadArguments(_ arguments: [String]) throws {
        let run = try Procctl.run(["load"] + arguments)
        #expect(run.status != 0)
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError.contains("Error:"))
        #expect(!run.standardError.contains("Fatal error"))
    }

    @Test("bench spawn reports ChildProcess beside the raw fork loops, as JSON")
    func benchSpawnFork() throws {
        let run = try Procctl.run(["bench", "spawn", "--iterations", "20", "--method", "fork", "--json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try JSONReport.object(run.standardOutput)
        #expect(report["iterations"] as? Int == 20)
        let methods = try #require(report["methods"] as? [String: Any])
        #expect(Array(methods.keys) == ["fork"])
        let fork = try #require(methods["fork"] as? [String: Any])
        for label in ["childprocess", "pc_fork", "libc_fork"] {
            let variant = try #require(fork[label] as? [String: Any], "no \(label)")
            let median = try #require(JSONReport.number(variant["median_us"]))
            let p10 = try #require(JSONReport.number(variant["p10_us"]))
            let p90 = try #require(JSONReport.number(variant["p90_us"]))
            let minimum = try #require(JSONReport.number(variant["min_us"]))
            let maximum = try #require(JSONReport.number(variant["max_us"]))
            #expect(minimum > 0 && minimum <= p10 && p10 <= median && median <= p90 && p90 <= maximum)
            // One child life cycle takes more than a microsecond and less than a second.
            #expect(median > 1 && median < 1_000_000)
        }
        let childProcess = try #require(JSONReport.number((fork["childprocess"] as? [String: Any])?["median_us"]))
        let shim = try #require(JSONReport.number((fork["pc_fork"] as? [String: Any])?["median_us"]))
        let ratio = try #require(JSONReport.number(fork["ratio_childprocess_to_pc_fork"]))
        #expect(abs(ratio - childProcess / shim) < 0.01)
    }

    @Test("bench spawn times exec of /bin/true, and prints a table without --json")
    func benchSpawnExecTable() throws {
        let run = try Procctl.run(["bench", "spawn", "--iterations", "10", "--method", "exec"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "bench spawn: 10 children per variant, interleaved; times in µs per child")
        for what in ["ChildProcess(executing: /bin/true) start + join", "pc_spawn(/bin/true) + pc_wait", "posix_spawn(/bin/true) + waitpid"] {
            #expect(lines.contains { $0.contains(what) }, "no \(what) row")
        }
        #expect(!lines.contains { $0.hasPrefix("fork") })
    }

    @Test("bench spawn rejects bad arguments", arguments: [["--method", "vfork"], ["--iterations", "0"]])
    func benchRejectsBadArguments(_ arguments: [String]) throws {
        let run = try Procctl.run(["bench", "spawn"] + arguments)
        #expect(run.status != 0)
        #expect(run.standardError.contains("Error:"))
        #expect(run.standardOutput.isEmpty)
    }
}
