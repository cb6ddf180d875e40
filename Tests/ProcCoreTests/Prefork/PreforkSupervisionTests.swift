import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// The prefork model's supervision with library handlers: hung workers, the adaptive
/// pool, crash loops and boot failures, on real processes and sockets.
@Suite("Prefork supervision")
struct PreforkSupervisionTests {
    /// Echoes what it reads; "spin" makes it burn CPU in a loop of its own (30 s at
    /// most, so that nothing outlives the test), "deadlock" makes it wait for a pipe that
    /// nobody writes to (30 s at most: SIGALRM ends the worker), "exit" ends the worker at once.
    static func handler(_ connection: borrowing SocketConnection, _ peer: SocketAddress) throws {
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try connection.read(into: $0) }
            if count == 0 { return }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            if text == "spin" {
                let deadline = pc_monotonic_ns() + 30_000_000_000
                var spins: UInt64 = 0
                while pc_monotonic_ns() < deadline { spins &+= 1 }
                return
            }
            if text == "deadlock" {
                var ends: [Int32] = [-1, -1]
                _ = pc_pipe(&ends)
                alarm(30)
                var byte: UInt8 = 0
                _ = Glibc.read(ends[0], &byte, 1)
                return
            }
            if text == "exit" { pc_child_exit(3) }
            try connection.writeAll(Array(buffer[0..<count]))
        }
    }

    @Test("--worker-timeout kills a handler that spins, not one that waits for its client")
    func workerTimeout() throws {
        var options = PreforkOptions(workers: 1)
        options.workerTimeout = .milliseconds(600)
        let server = try PreforkServerProcess(options, handler: Self.handler)
        defer { server.stop() }
        #expect(server.waitForWorkers(1))
        // A client that waits longer than the timeout between messages is served.
        let patient = try server.connect()
        #expect(try patient.roundTrip("hello") == "hello")
        TestClock.sleep(1.5)
        #expect(try patient.roundTrip("still there") == "still there")
        patient.close()
        #expect(!server.log.contains("timed out"))
        let spinning = try server.connect()
        let worker = try #require(server.workers().first)
        try spinning.writeAll(Array("spin".utf8))
        #expect(server.waitForLog(containing: "worker \(worker) timed out: no progress for 0.6 s; killed"))
        var byte: UInt8 = 0
        #expect((try? withUnsafeMutableBytes(of: &byte) { try spinning.read(into: $0) }) ?? 0 == 0)
        #expect(server.waitForWorkers(1))
        let after = try server.connect()
        #expect(try after.roundTrip("replaced") == "replaced")
        #expect(!server.workers().contains(worker))
    }

    @Test("--worker-timeout kills a worker stuck without CPU or I/O: SIGSTOPped, or deadlocked on something else than its client",
          arguments: ["SIGSTOP", "deadlock"])
    func workerTimeoutWithoutCPU(stuck: String) throws {
        var options = PreforkOptions(workers: 1)
        options.workerTimeout = .milliseconds(600)
        let server = try PreforkServerProcess(options, handler: Self.handler)
        defer { server.stop() }
        #expect(server.waitForWorkers(1))
        let connection = try server.connect()
        #expect(try connection.roundTrip("hello") == "hello")
        let worker = try #require(server.workers().first)
        if stuck == "SIGSTOP" {
            // Stopped while it waits for its client: no longer waiting, and no progress.
            #expect(kill(worker, SIGSTOP) == 0)
        } else {
            try connection.writeAll(Array("deadlock".utf8))
        }
        #expect(server.waitForLog(containing: "worker \(worker) timed out: no progress for 0.6 s; killed"), "\(server.log)")
        var byte: UInt8 = 0
        #expect((try? withUnsafeMutableBytes(of: &byte) { try connection.read(into: $0) }) ?? 0 == 0)
        #expect(TestClock.waitUntil(timeout: 10) { let now = server.workers(); return now.count == 1 && !now.contains(worker) })
        let after = try server.connect()
        #expect(try after.roundTrip("replaced") == "replaced")
    }

    @Test("The pool grows to maxWorkers while every worker is busy, and shrinks back once idle")
    func adaptivePool() throws {
        var options = PreforkOptions(workers: 1)
        options.maxWorkers = 3
        options.extraWorkerIdleTimeout = .milliseconds(300)
        let server = try PreforkServerProcess(options, handler: Self.handler)
        defer { server.stop() }
        #expect(server.waitForWorkers(1))
        // Each connection is closed once, by its own close() or when this scope ends.
        do {
            // Held connections: each keeps a worker busy; the next is served by an extra one.
            let first = try server.connect()
            #expect(try first.roundTrip("held 0") == "held 0")
            let second = try server.connect()
            #expect(try second.roundTrip("held 1") == "held 1")
            let third = try server.connect()
            #expect(try third.roundTrip("held 2") == "held 2")
            #expect(server.workers().count == 3)
            // Past the maximum, the next connection waits in the backlog.
            let waiting = try server.connect()
            try waiting.writeAll(Array("waiting".utf8))
            TestClock.sleep(1.2)
            #expect(server.workers().count == 3)
            first.close()
            var reply = [UInt8](repeating: 0, count: 7)
            #expect(try reply.withUnsafeMutableBytes { try waiting.readFully(into: $0) } == 7)
        }
        // Idle for 0.3 s, the extra workers leave, one per second, down to the minimum.
        #expect(server.waitForWorkers(1, timeout: 10))
        #expect(server.log.contains("stopping: idle for 0.3 s"))
    }

    @Test("Workers dying right after start are respawned with a backoff, one log line each")
    func crashLoopBackoff() throws {
        let server = try PreforkServerProcess(PreforkOptions(workers: 1), handler: Self.handler)
        defer { server.stop() }
        for _ in 0..<3 {
            #expect(server.waitForWorkers(1))
            let connection = try server.connect()
            try connection.writeAll(Array("exit".utf8))
            var byte: UInt8 = 0
            _ = try? withUnsafeMutableBytes(of: &byte) { try connection.read(into: $0) }
            connection.close()
        }
        #expect(server.waitForLog(containing: "workers are dying at start (3 in a row): next one in 0.4 s"))
        #expect(server.log.contains("exited with code 3"))
        // After the backoff a worker serves again.
        #expect(server.waitForWorkers(1))
        let connection = try server.connect()
        #expect(try connection.roundTrip("back") == "back")
    }

    @Test("Workers that cannot boot stop the server with a clear line and a non-zero exit")
    func bootFailureHalts() throws {
        var options = PreforkOptions(workers: 2)
        options.workerStartup = { throw ProcessError(.invalidArgument, operation: "open the test database") }
        let server = try PreforkServerProcess(options, handler: Self.handler)
        defer { server.stop() }
        #expect(TestClock.waitUntil(timeout: 20) { server.master.exitCode != nil })
        #expect(server.master.exitCode == 2)
        #expect(server.log.contains("cannot start: open the test database: invalid argument"))
        #expect(server.log.contains("workers in a row could not start; stopping"))
    }

    @Test("A reload whose new workers cannot start is given up: the old generation serves on, its connections untouched")
    func reloadThatCannotStart() throws {
        let marker = "/tmp/procctl-reload-fails-\(getpid())-\(pc_monotonic_ns())"
        defer { unlink(marker) }
        var options = PreforkOptions(workers: 2)
        // Workers forked while the marker exists fail to boot.
        options.workerStartup = {
            if access(marker, F_OK) == 0 { throw ChildProcess.Exit(9) }
        }
        let server = try PreforkServerProcess(options, handler: Self.handler)
        defer { server.stop() }
        #expect(server.waitForWorkers(2))
        let before = server.workers()
        // One held connection per worker: both have booted before the marker appears.
        let firstHeld = try server.connect()
        let secondHeld = try server.connect()
        #expect(try firstHeld.roundTrip("held 0") == "held 0")
        #expect(try secondHeld.roundTrip("held 1") == "held 1")
        let fd = open(marker, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        _ = pc_close(fd)
        try server.master.send(signal: .terminalClosed)
        #expect(server.waitForLog(containing: "reload failed: worker "), "\(server.log)")
        #expect(server.log.contains("generation 0 serves on"))
        #expect(try firstHeld.roundTrip("still 0") == "still 0")
        #expect(try secondHeld.roundTrip("still 1") == "still 1")
        #expect(TestClock.waitUntil(timeout: 10) { Set(server.workers()) == Set(before) }, "\(server.workers()) \(server.log)")
        #expect(!server.log.contains("could not start; stopping"))
        #expect(!server.log.contains("shutting down"), "a SIGTERM to a starting worker reached the master: \(server.log)")
        // Fixed: the next reload replaces the generation once the held connections end.
        unlink(marker)
        try server.master.send(signal: .terminalClosed)
        #expect(server.waitForLog(containing: "starting generation 1"))
        firstHeld.close()
        secondHeld.close()
        #expect(server.waitForLog(containing: "generation 1 serves alone"), "\(server.log)")
        #expect(Set(server.workers()).isDisjoint(with: before))
        let after = try server.connect()
        #expect(try after.roundTrip("new generation") == "new generation")
    }
}
