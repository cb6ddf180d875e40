import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve --workers N`, end to end: the built binary, real sockets on 127.0.0.1.
@Suite("procctl serve --workers")
struct PreforkServeTests {
    /// The server's live workers (its children that are not zombies), sorted.
    private func workers(of server: RunningServer) -> [pid_t] {
        ProcessTable.children(of: server.pid).filter { $0.state != "Z" }.map(\.pid).sorted()
    }

    /// Waits up to 10 s for the server to have `count` live workers; returns them.
    private func waitForWorkers(_ server: RunningServer, count: Int, timeout: Double = 10) -> [pid_t] {
        var pids: [pid_t] = []
        _ = TestClock.waitUntil(timeout: timeout) {
            pids = workers(of: server)
            return pids.count == count
        }
        return pids
    }

    /// The worker among `pids` that serves `connection`: the one holding its socket. (The
    /// count of descriptors said it wrongly when a worker just forked still held what it
    /// inherited.)
    private func worker(serving connection: TestConnection, of server: RunningServer, among pids: [pid_t]) -> pid_t? {
        var holder: pid_t?
        _ = TestClock.waitUntil(timeout: 5) {
            holder = ProcessTable.holder(of: connection, serverPort: server.port, among: pids)
            return holder != nil
        }
        return holder
    }

    /// The log's lines containing `text`.
    private func lines(of server: RunningServer, containing text: String) -> [Substring] {
        server.program.standardError().split(separator: "\n").filter { $0.contains(text) }
    }

    @Test("Many connections, the same worker pids: no fork per connection; SIGTERM exits 0")
    func sameWorkers() throws {
        let server = try RunningServer(["--workers", "4", "--grace", "1"])
        defer { server.stop() }
        let before = waitForWorkers(server, count: 4)
        #expect(before.count == 4)
        let watched = before.compactMap(WatchedProcess.init)
        defer { watched.forEach { $0.close() } }
        for index in 0..<100 {
            let connection = try server.connect()
            #expect(try connection.roundTrip("message \(index)") == "MESSAGE \(index)")
            connection.close()
        }
        #expect(workers(of: server) == before)
        #expect(lines(of: server, containing: " spawned").count == 4)
        server.program.send(signal: SIGTERM)
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(server.program.standardError().contains("shut down: served 100 connections, killed 0 children"))
        #expect(watched.count == 4 && watched.allSatisfy { !$0.isRunning })
    }

    @Test("As many clients at once as workers; the next waits in the backlog until one leaves")
    func concurrencyUpToTheWorkerCount() throws {
        let server = try RunningServer(["--workers", "3", "--grace", "1"])
        defer { server.stop() }
        #expect(waitForWorkers(server, count: 3).count == 3)
        var connections = try (0..<3).map { _ in try server.connect() }
        defer { connections.forEach { $0.close() } }
        for (index, connection) in connections.enumerated() { try connection.send("client \(index)") }
        for (index, connection) in connections.enumerated() {
            #expect(String(decoding: try connection.receive(count: "client \(index)".utf8.count), as: UTF8.self) == "CLIENT \(index)")
        }
        let fourth = try server.connect()
        defer { fourth.close() }
        try fourth.send("fourth")
        #expect(!fourth.hasInput(withinMs: 300), "\(workers(of: server)) \(server.program.standardError())")
        connections.removeFirst().close()
        #expect(String(decoding: try fourth.receive(count: 6), as: UTF8.self) == "FOURTH")
        #expect(workers(of: server).count == 3)
    }

    @Test("An idle worker SIGKILLed is replaced at once, with a log line")
    func idleWorkerReplaced() throws {
        let server = try RunningServer(["--workers", "2", "--grace", "1"])
        defer { server.stop() }
        let before = waitForWorkers(server, count: 2)
        let victim = try #require(before.first)
        #expect(kill(victim, SIGKILL) == 0)
        #expect(server.program.waitForStandardError(containing: "worker \(victim) killed by signal 9", timeout: 10) != nil)
        #expect(TestClock.waitUntil(timeout: 10) { let now = workers(of: server); return now.count == 2 && !now.contains(victim) })
        let connection = try server.connect()
        defer { connection.close() }
        #expect(try connection.roundTrip("after") == "AFTER")
    }

    @Test("A busy worker killed loses its own connection only")
    func busyWorkerLosesOnlyItsConnection() throws {
        let server = try RunningServer(["--workers", "2", "--grace", "1"])
        defer { server.stop() }
        let pool = waitForWorkers(server, count: 2)
        let first = try server.connect()
        defer { first.close() }
        #expect(try first.roundTrip("first") == "FIRST")
        let busy = try #require(worker(serving: first, of: server, among: pool))
        let second = try server.connect()
        defer { second.close() }
        #expect(try second.roundTrip("second") == "SECOND")
        #expect(kill(busy, SIGKILL) == 0)
        #expect(first.waitForClose(timeoutMs: 5000))
        #expect(try second.roundTrip("still served") == "STILL SERVED")
        #expect(TestClock.waitUntil(timeout: 10) { let now = workers(of: server); return now.count == 2 && !now.contains(busy) })
        let third = try server.connect()
        defer { third.close() }
        #expect(try third.roundTrip("third") == "THIRD")
    }

    /// Serves `total` connections in rounds of `concurrent` open at once; returns the failures.
    private func load(_ server: RunningServer, total: Int, concurrent: Int) -> Int {
        var failures = 0
        var done = 0
        while done < total {
            let batch = min(concurrent, total - done)
            var connections: [TestConnection] = []
            for _ in 0..<batch {
                if let connection = try? server.connect() { connections.append(connection) } else { failures += 1 }
            }
            for (index, connection) in connections.enumerated() where (try? connection.send("c\(done + index)")) == nil {
                failures += 1
            }
            // Read and close in order: the later ones may wait in the backlog for a worker.
            for (index, connection) in connections.enumerated() {
                let expected = "C\(done + index)"
                if (try? connection.receive(count: expected.utf8.count)).map({ String(decoding: $0, as: UTF8.self) }) != expected { failures += 1 }
                connection.close()
            }
            done += batch
        }
        return failures
    }

    @Test("--max-requests recycles workers with no failed connection under concurrent clients", arguments: [0, 3])
    func maxRequests(jitter: Int) throws {
        let server = try RunningServer(["--workers", "2", "--max-requests", "5", "--max-requests-jitter", "\(jitter)", "--grace", "1"])
        defer { server.stop() }
        #expect(waitForWorkers(server, count: 2).count == 2)
        #expect(load(server, total: 80, concurrent: 4) == 0)
        var shares: [Int] = []
        _ = TestClock.waitUntil(timeout: 5) {
            shares = lines(of: server, containing: " recycled after ").compactMap { line in
                line.split(separator: " ").dropFirst(4).first.flatMap { Int($0) }
            }
            return shares.reduce(0, +) > 80 - 2 * (5 + jitter)
        }
        // The two workers left at the end have served less than their share.
        #expect(shares.count >= 80 / (5 + jitter) - 2 && shares.reduce(0, +) <= 80, "\(shares)")
        #expect(shares.allSatisfy { (5...(5 + jitter)).contains($0) }, "\(shares)")
        if jitter > 0 { #expect(Set(shares).count > 1, "\(shares)") }
        #expect(TestClock.waitUntil(timeout: 10) { workers(of: server).count == 2 })
    }

    @Test("--max-workers: held connections make the pool grow, one worker at a time, up to M")
    func poolGrows() throws {
        let server = try RunningServer(["--workers", "1", "--max-workers", "3", "--grace", "1"])
        defer { server.stop() }
        #expect(waitForWorkers(server, count: 1).count == 1)
        var held: [TestConnection] = []
        defer { held.forEach { $0.close() } }
        // Each held connection keeps a worker busy; the next one is served by a worker
        // the master forks within a second or so.
        for index in 0..<3 {
            let connection = try server.connect()
            held.append(connection)
            #expect(try connection.roundTrip("held \(index)") == "HELD \(index)")
        }
        #expect(workers(of: server).count == 3)
        #expect(lines(of: server, containing: " spawned").count == 3)
        let fourth = try server.connect()
        defer { fourth.close() }
        try fourth.send("fourth")
        #expect(!fourth.hasInput(withinMs: 1500))
        #expect(workers(of: server).count == 3)
    }

    @Test("--worker-timeout with -- PROGRAM: a program that spins is killed with its worker")
    func workerTimeoutKillsASpinningProgram() throws {
        let script = #"read line; if [ "$line" = spin ]; then while :; do :; done; fi; echo "$line""#
        let server = try RunningServer(["--workers", "1", "--worker-timeout", "0.5", "--grace", "1", "--", "sh", "-c", script])
        defer { server.stop() }
        let worker = try #require(waitForWorkers(server, count: 1).first)
        let spinning = try server.connect()
        defer { spinning.close() }
        try spinning.send("spin\n")
        var program: WatchedProcess?
        _ = TestClock.waitUntil(timeout: 5) {
            program = ProcessTable.children(of: worker).first.flatMap { WatchedProcess($0.pid) }
            return program != nil
        }
        defer { program?.close() }
        #expect(server.program.waitForStandardError(containing: "worker \(worker) timed out", timeout: 10) != nil)
        #expect(program?.waitForEnd(timeout: 5) == true)
        #expect(spinning.waitForClose(timeoutMs: 5000))
        let next = try server.connect()
        defer { next.close() }
        let reply = try next.stream(Array("hello\n".utf8), timeout: 10)
        #expect(String(decoding: reply, as: UTF8.self) == "hello\n")
    }

    @Test("With -- PROGRAM, nothing a busy worker started outlives it or the master",
          arguments: ["SIGTERM past --grace", "SIGQUIT", "its worker SIGKILLed"])
    func programEndsWithItsWorker(scenario: String) throws {
        // The program and a child of its own both hold the connection (stdout is the socket).
        let script = #"sleep 1000 & printf '%010d %010d\n' $$ $!; wait"#
        let server = try RunningServer(["--workers", "1", "--grace", "0.5", "--", "sh", "-c", script])
        defer { server.stop() }
        let worker = try #require(waitForWorkers(server, count: 1).first)
        let connection = try server.connect()
        defer { connection.close() }
        let line = String(decoding: try connection.receive(count: 22), as: UTF8.self)
        let pids = line.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        // Watched through pidfds: once reaped by init, their pids may be reused at once.
        let started = pids.compactMap(WatchedProcess.init)
        defer { started.forEach { $0.close() } }
        try #require(pids.count == 2 && started.count == 2, "\(line)")
        switch scenario {
        case "SIGTERM past --grace": server.program.send(signal: SIGTERM)
        case "SIGQUIT": server.program.send(signal: SIGQUIT)
        default: #expect(kill(worker, SIGKILL) == 0)
        }
        #expect(started.allSatisfy { $0.waitForEnd(timeout: 10) }, "\(scenario): \(pids) still run")
        #expect(connection.waitForClose(timeoutMs: 10_000))
        if scenario == "its worker SIGKILLed" {
            #expect(server.program.waitForStandardError(containing: "worker \(worker) killed by signal 9", timeout: 10) != nil)
            server.program.send(signal: SIGTERM)
        }
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(started.allSatisfy { !$0.isRunning })
    }

    @Test("--worker-timeout with both cores busy: a spinning program is killed soon after the timeout")
    func workerTimeoutOnBusyCores() throws {
        // Two busy loops, and the program at nice 19: it gets a sliver of the CPU, as on a
        // machine at a load of 20 (a look that found it had used little CPU time used to
        // count as progress, and such a program lived on).
        let hogs = try (0..<2).map { _ in try LaunchedProgram("/bin/sh", ["-c", "while :; do :; done"]) }
        defer { hogs.forEach { $0.stop() } }
        let script = #"read line; if [ "$line" = spin ]; then while :; do :; done; fi; echo "$line""#
        let server = try RunningServer(["--workers", "1", "--worker-timeout", "2", "--grace", "1", "--", "nice", "-n", "19", "sh", "-c", script])
        defer { server.stop() }
        let worker = try #require(waitForWorkers(server, count: 1).first)
        let spinning = try server.connect()
        defer { spinning.close() }
        let sent = TestClock.now()
        try spinning.send("spin\n")
        #expect(server.program.waitForStandardError(containing: "worker \(worker) timed out", timeout: 30) != nil)
        // Looked at ten times per timeout, it goes within 2.2 s or so; the bound only
        // leaves room for a loaded machine.
        let elapsed = TestClock.now() - sent
        #expect(elapsed < 2 + 3, "killed after \(elapsed) s")
        #expect(spinning.waitForClose(timeoutMs: 10_000))
    }

    @Test("--worker-timeout spares a program waiting for its client, however slow the client")
    func workerTimeoutSparesAProgramWaitingForItsClient() throws {
        let server = try RunningServer(["--workers", "1", "--worker-timeout", "0.5", "--grace", "1", "--", "sh", "-c", #"read a; read b; echo "$a$b""#])
        defer { server.stop() }
        let worker = try #require(waitForWorkers(server, count: 1).first)
        let connection = try server.connect()
        defer { connection.close() }
        // A few bytes now and then, each silence longer than the timeout: the silences
        // are the scenario, not a wait for a condition.
        for part in ["x", "y\n", "z\n"] {
            try connection.send(part)
            TestClock.sleep(1.2)
        }
        #expect(String(decoding: try connection.receive(count: 4), as: UTF8.self) == "xyz\n")
        #expect(!server.program.standardError().contains("timed out"), "\(server.program.standardError())")
        #expect(workers(of: server) == [worker])
    }

    @Test("SIGTTIN adds a worker, SIGTTOU removes one, never below 1")
    func ttinTtou() throws {
        let server = try RunningServer(["--workers", "2", "--grace", "1"])
        defer { server.stop() }
        #expect(waitForWorkers(server, count: 2).count == 2)
        server.program.send(signal: SIGTTIN)
        #expect(waitForWorkers(server, count: 3).count == 3)
        server.program.send(signal: SIGTTOU)
        #expect(waitForWorkers(server, count: 2).count == 2)
        server.program.send(signal: SIGTTOU)
        #expect(waitForWorkers(server, count: 1).count == 1)
        server.program.send(signal: SIGTTOU)
        TestClock.sleep(0.3)
        #expect(workers(of: server).count == 1)
        let connection = try server.connect()
        defer { connection.close() }
        #expect(try connection.roundTrip("one left") == "ONE LEFT")
    }

    @Test("SIGTERM: new connections refused, a live one finishes, then exit 0")
    func drain() throws {
        let server = try RunningServer(["--workers", "2", "--grace", "10"])
        defer { server.stop() }
        let pool = waitForWorkers(server, count: 2).compactMap(WatchedProcess.init)
        defer { pool.forEach { $0.close() } }
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("before") == "BEFORE")
        server.program.send(signal: SIGTERM)
        #expect(server.program.waitForStandardError(containing: "shutting down", timeout: 5) != nil)
        #expect(throws: TestConnection.ConnectError.self) { try server.connect() }
        #expect(try live.roundTrip("during the grace") == "DURING THE GRACE")
        #expect(server.program.waitForExit(timeout: 0.3) == nil)
        live.close()
        #expect(server.program.exitCode(timeout: 10) == 0)
        #expect(server.program.standardError().contains("shut down: served 1 connections, killed 0 children"))
        #expect(pool.count == 2 && pool.allSatisfy { !$0.isRunning })
    }

    @Test("SIGQUIT, or a second SIGTERM, stops at once", arguments: [[SIGQUIT], [SIGTERM, SIGTERM]])
    func stopAtOnce(signals: [Int32]) throws {
        let server = try RunningServer(["--workers", "2", "--grace", "30"])
        defer { server.stop() }
        #expect(waitForWorkers(server, count: 2).count == 2)
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("live") == "LIVE")
        for signal in signals {
            server.program.send(signal: signal)
            TestClock.sleep(0.1)
        }
        #expect(server.program.exitCode(timeout: 5) == 0)
        #expect(live.waitForClose(timeoutMs: 5000))
        #expect(server.program.standardError().contains("killed 1 children"))
    }

    @Test("Workers of a SIGKILLed master leave: idle ones at once, a busy one after its connection")
    func orphanedWorkersLeave() throws {
        let server = try RunningServer(["--workers", "2", "--grace", "1"])
        defer { server.stop() }
        // Orphans are reaped by init, and their pids may be reused at once: pidfds.
        let pool = waitForWorkers(server, count: 2).compactMap(WatchedProcess.init)
        defer { pool.forEach { $0.close() } }
        let live = try server.connect()
        defer { live.close() }
        #expect(try live.roundTrip("before") == "BEFORE")
        let busyPID = try #require(worker(serving: live, of: server, among: pool.map(\.pid)))
        let busy = try #require(pool.first { $0.pid == busyPID })
        let idle = try #require(pool.first { $0.pid != busyPID })
        server.program.send(signal: SIGKILL)
        #expect(server.program.waitForExit(timeout: 10) != nil)
        #expect(idle.waitForEnd(timeout: 10))
        #expect(try live.roundTrip("after the master") == "AFTER THE MASTER")
        #expect(busy.isRunning)
        live.close()
        #expect(busy.waitForEnd(timeout: 10))
        #expect(throws: TestConnection.ConnectError.self) { try server.connect() }
    }

    @Test("Hundreds of recycled workers: no zombies, no descriptor growth in the master")
    func noZombiesAcrossRecycledWorkers() throws {
        let server = try RunningServer(["--workers", "2", "--max-requests", "1", "--quiet", "--grace", "1"])
        defer { server.stop() }
        #expect(load(server, total: 4, concurrent: 2) == 0)
        #expect(waitForWorkers(server, count: 2).count == 2)
        let descriptors = try #require(ProcessTable.openDescriptors(of: server.pid))
        let started = TestClock.now()
        #expect(load(server, total: 300, concurrent: 2) == 0)
        #expect(TestClock.now() - started < 60)
        #expect(waitForWorkers(server, count: 2).count == 2)
        // The worker that served the last connection leaves after it, and the master reaps
        // it at its next poll: a zombie may be there for that moment, and none may stay.
        #expect(TestClock.waitUntil(timeout: 10) { ProcessTable.zombies(of: server.pid) == 0 })
        #expect(TestClock.waitUntil(timeout: 10) { ProcessTable.openDescriptors(of: server.pid) == descriptors })
        // --quiet: recycling is routine, not an error.
        #expect(server.program.standardError().isEmpty)
    }

    @Test("With -- PROGRAM, each worker runs the program per connection; the workers stay")
    func programPerConnection() throws {
        let server = try RunningServer(["--workers", "2", "--grace", "1", "--", "tr", "a-z", "A-Z"])
        defer { server.stop() }
        let pool = waitForWorkers(server, count: 2)
        #expect(pool.count == 2)
        for index in 0..<5 {
            let connection = try server.connect()
            defer { connection.close() }
            let reply = try connection.stream(Array("through tr \(index)".utf8), timeout: 10)
            #expect(String(decoding: reply, as: UTF8.self) == "THROUGH TR \(index)")
        }
        #expect(TestClock.waitUntil(timeout: 5) { workers(of: server) == pool })
        #expect(pool.allSatisfy { ProcessTable.zombies(of: $0) == 0 })
    }

    @Test("Bad prefork values: one clear usage error, a non-zero exit, no trap", arguments: [
        (["--workers", "0"], "--workers must be between 1 and"),
        (["--workers=-1"], "--workers must be between 1 and"),
        (["--workers", "abc"], "--workers"),
        (["--workers", "4", "--max-workers", "2"], "--max-workers must be at least --workers"),
        (["--max-workers", "4"], "--max-workers needs --workers"),
        (["--workers", "2", "--max-requests=-1"], "--max-requests must be"),
        (["--workers", "2", "--max-requests-jitter=-1"], "--max-requests-jitter must be"),
        (["--workers", "2", "--worker-timeout=-1"], "--worker-timeout must be"),
        (["--workers", "2", "--max-children", "3"], "--max-children is for the fork-per-connection model"),
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
