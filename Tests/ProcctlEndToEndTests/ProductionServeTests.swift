import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve` as it runs in production: under systemd's socket activation, several
/// instances on one port (`--reuse-port`), Prometheus metrics (`--metrics`), and the bad
/// input that comes with them.
@Suite("procctl serve in production")
struct ProductionServeTests {
    /// A program in PATH, or nil.
    private static func which(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    private static let socketActivate = which("systemd-socket-activate")
    private static let systemdAnalyze = which("systemd-analyze")

    /// Starts procctl through `/bin/sh -c 'VARIABLES exec procctl ARGS'`, so that
    /// `LISTEN_PID=$$` names procctl itself.
    private static func launchWithEnvironment(_ assignments: String, _ arguments: [String]) throws -> LaunchedProgram {
        try LaunchedProgram("/bin/sh", ["-c", "\(assignments) exec \"$0\" \"$@\"", Procctl.path] + arguments)
    }

    /// Reads the `metrics on http://...` line that follows the listening line.
    private static func metricsURL(of program: LaunchedProgram) throws -> String {
        guard let line = program.readLine(timeout: 10), line.hasPrefix("metrics on http://127.0.0.1:"), line.hasSuffix("/metrics") else {
            throw HarnessError("no 'metrics on' line; stderr: \(program.standardError())")
        }
        return String(line.dropFirst("metrics on ".count))
    }

    // MARK: - systemd

    @Test("systemd-socket-activate: served on its socket, the variables hidden from the program",
          .enabled(if: socketActivate != nil, "needs systemd-socket-activate (Debian's systemd package)"))
    func socketActivation() throws {
        let port = try LoopbackPort.unused()
        // --port 1 would need root: serving proves the passed socket is used.
        let activator = try LaunchedProgram(Self.socketActivate!, ["-l", "127.0.0.1:\(port)", Procctl.path, "serve", "--port", "1", "--", "/usr/bin/env"])
        defer { activator.stop() }
        // It execs procctl at the first connection, which waits in the backlog meanwhile.
        var connection: TestConnection?
        _ = TestClock.waitUntil(timeout: 10, interval: 0.05) {
            connection = try? TestConnection(port: port)
            return connection != nil
        }
        guard let connection else { throw HarnessError("systemd-socket-activate never listened: \(activator.standardError())") }
        defer { connection.close() }
        let output = String(decoding: try connection.stream([], timeout: 10), as: UTF8.self)
        #expect(activator.readLine(timeout: 10) == "listening on 127.0.0.1:\(port)")
        #expect(output.contains("PROTO=TCP"))
        #expect(output.contains("TCPLOCALPORT=\(port)"))
        #expect(!output.contains("LISTEN_FDS") && !output.contains("LISTEN_PID") && !output.contains("LISTEN_FDNAMES"), "\(output)")
    }

    @Test("A malformed LISTEN_FDS refuses to start with one line", arguments: ["abc", "0", "-1", "99999999999999999999"])
    func malformedListenFDs(value: String) throws {
        let program = try Self.launchWithEnvironment("LISTEN_PID=$$ LISTEN_FDS='\(value)'", ["serve", "--port", "0"])
        defer { program.stop() }
        #expect(program.exitCode(timeout: 10) == 1)
        let log = program.standardError()
        #expect(log.hasPrefix("procctl: refusing to start: LISTEN_FDS='\(value)' is not a count of descriptors"), "\(log)")
        #expect(log.split(separator: "\n").count == 1, "\(log)")
        #expect(program.readStandardOutput(timeout: 1).isEmpty)
    }

    @Test("LISTEN_FDS naming a descriptor that is not a listening socket refuses to start")
    func passedDescriptorThatDoesNotListen() throws {
        let program = try Self.launchWithEnvironment("exec 3</dev/null; LISTEN_PID=$$ LISTEN_FDS=1", ["serve", "--port", "0"])
        defer { program.stop() }
        #expect(program.exitCode(timeout: 10) == 1)
        #expect(program.standardError() == "procctl: refusing to start: listening socket 3: Socket operation on non-socket\n")
    }

    @Test("LISTEN_PID naming another process: one log line, then it binds and serves")
    func listenPIDOfAnotherProcess() throws {
        let program = try Self.launchWithEnvironment("LISTEN_PID=1 LISTEN_FDS=1", ["serve", "--port", "0", "--quiet"])
        defer { program.stop() }
        let line = program.readLine(timeout: 10) ?? ""
        #expect(line.hasPrefix("listening on 127.0.0.1:"), "\(program.standardError())")
        let port = Int(line.split(separator: ":").last ?? "") ?? 0
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        #expect(try connection.roundTrip("still served") == "STILL SERVED")
        #expect(program.standardError().contains("procctl: LISTEN_PID=1 names another process"))
    }

    @Test("sd_notify across a binary upgrade: the old master names the new one (MAINPID=) and never says STOPPING=1; the new one keeps the watchdog and the metrics port",
          .enabled(if: MetricsScrape.clientAvailable, MetricsScrape.clientSkipReason))
    func notifyAcrossAnUpgrade() throws {
        let socket = try NotifySocket(abstract: false)
        let metricsPort = try LoopbackPort.unused()
        let program = try Self.launchWithEnvironment(
            "NOTIFY_SOCKET='\(socket.name)' WATCHDOG_USEC=400000 WATCHDOG_PID=$$",
            ["serve", "--port", "0", "--workers", "1", "--metrics", "127.0.0.1:\(metricsPort)", "--grace", "1", "--quiet"])
        defer { program.stop() }
        let line = program.readLine(timeout: 10) ?? ""
        let port = Int(line.split(separator: ":").last ?? "") ?? 0
        #expect(try Self.metricsURL(of: program) == "http://127.0.0.1:\(metricsPort)/metrics")
        let ready = socket.receive(until: { $0.contains { $0.hasPrefix("READY=1") } }, within: 10)
        #expect(ready.last?.contains("MAINPID=\(program.pid)") == true, "\(ready)")
        program.send(signal: SIGUSR2)
        #expect(program.exitCode(timeout: 30) == 0, "\(program.standardError())")
        var received = socket.receive(until: { messages in
            messages.contains { $0.hasPrefix("READY=1") } && messages.contains { $0.contains("STATUS=upgraded") }
        }, within: 10)
        let handover = received.first { $0.contains("STATUS=upgraded") } ?? ""
        let newPID = handover.split(separator: "\n").first { $0.hasPrefix("MAINPID=") }.flatMap { pid_t($0.dropFirst(8)) } ?? 0
        #expect(newPID > 0 && newPID != program.pid, "\(received)")
        defer { Self.stopDetached(newPID) }
        #expect(received.contains { $0.hasPrefix("READY=1") && $0.contains("MAINPID=\(newPID)") }, "\(received)")
        // The new master serves the same port, the same metrics port, and pings the watchdog
        // (WATCHDOG_PID named the old master: it was dropped from the environment).
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        #expect(try connection.roundTrip("upgraded") == "UPGRADED")
        #expect(try MetricsScrape("http://127.0.0.1:\(metricsPort)/metrics")["procctl_connections_total"] == 1)
        received += socket.receive(until: { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 }, within: 5)
        #expect(received.filter { $0 == "WATCHDOG=1" }.count >= 3)
        #expect(!received.contains { $0.hasPrefix("STOPPING=1") }, "\(received)")
        kill(newPID, SIGTERM)
        let stopping = socket.receive(until: { $0.contains { $0.hasPrefix("STOPPING=1") } }, within: 10)
        #expect(stopping.contains { $0.hasPrefix("STOPPING=1") })
    }

    /// Stops a process the test started that is no longer its child (an upgraded master):
    /// SIGTERM, then SIGKILL after 5 s, waiting until /proc no longer shows it running.
    private static func stopDetached(_ pid: pid_t) {
        guard pid > 0 else { return }
        let gone = { ProcStat(pid).map { $0.state == "Z" } ?? true }
        kill(pid, SIGTERM)
        if !TestClock.waitUntil(timeout: 5, gone) {
            kill(pid, SIGKILL)
            _ = TestClock.waitUntil(timeout: 5, gone)
        }
    }

    @Test("contrib/systemd's units pass systemd-analyze verify with no warning",
          .enabled(if: systemdAnalyze != nil, "needs systemd-analyze (Debian's systemd package)"))
    func unitsVerify() throws {
        var template = Array("/tmp/procctl-units-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        let folder = String(cString: made)
        defer {
            for name in ["procctl.socket", "procctl.service"] { unlink("\(folder)/\(name)") }
            rmdir(folder)
        }
        // Installed as the units say, with ExecStart naming the binary built here.
        for name in ["procctl.socket", "procctl.service"] {
            guard let bytes = FileSystem.contents(ofFile: "\(Procctl.packageRoot)/contrib/systemd/\(name)") else {
                throw HarnessError("cannot read contrib/systemd/\(name)")
            }
            let text = String(decoding: bytes, as: UTF8.self).replacing("/usr/local/bin/procctl", with: Procctl.path)
            let fd = open("\(folder)/\(name)", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw HarnessError("cannot write \(folder)/\(name)") }
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        let verify = try LaunchedProgram(Self.systemdAnalyze!, ["verify", "\(folder)/procctl.socket", "\(folder)/procctl.service"])
        defer { verify.stop() }
        _ = verify.readStandardOutput(timeout: 60)
        #expect(verify.exitCode(timeout: 60) == 0)
        #expect(verify.standardError().isEmpty, "\(verify.standardError())")
    }

    // MARK: - Several instances on one port

    @Test("--reuse-port: two instances share a port and both serve; without it a third fails in one line")
    func reusePort() throws {
        let port = try LoopbackPort.unused()
        let arguments = ["serve", "--port", "\(port)", "--reuse-port", "--grace", "1"]
        let first = try Procctl.launch(arguments)
        defer { first.stop() }
        #expect(first.readLine(timeout: 10) == "listening on 127.0.0.1:\(port)")
        let second = try Procctl.launch(arguments)
        defer { second.stop() }
        #expect(second.readLine(timeout: 10) == "listening on 127.0.0.1:\(port)")
        // The kernel spreads connections by their addresses: 24 reach both (all on one:
        // a chance of 2 in 2^24).
        for index in 0..<24 {
            let connection = try TestConnection(port: port)
            defer { connection.close() }
            #expect(try connection.roundTrip("client \(index)") == "CLIENT \(index)")
        }
        let served = { (program: LaunchedProgram) in program.standardError().split(separator: "\n").filter { $0.hasPrefix("connection from") }.count }
        _ = TestClock.waitUntil(timeout: 5) { served(first) + served(second) == 24 }
        #expect(served(first) + served(second) == 24)
        #expect(served(first) > 0 && served(second) > 0)
        let third = try Procctl.launch(["serve", "--port", "\(port)"])
        defer { third.stop() }
        #expect(third.exitCode(timeout: 10) == 1)
        #expect(third.standardError() == "procctl: cannot listen on 127.0.0.1:\(port): Address already in use\n")
        // One instance leaves; the other goes on serving the port.
        first.send(signal: SIGTERM)
        #expect(first.exitCode(timeout: 10) == 0)
        let after = try TestConnection(port: port)
        defer { after.close() }
        #expect(try after.roundTrip("after") == "AFTER")
    }

    // MARK: - Metrics

    @Test("--metrics: counts from the scoreboard, scraped with urllib", .enabled(if: MetricsScrape.clientAvailable, MetricsScrape.clientSkipReason))
    func preforkMetrics() throws {
        let server = try RunningServer(["--workers", "2", "--max-requests", "2", "--metrics", "127.0.0.1:0", "--grace", "1"])
        defer { server.stop() }
        let url = try Self.metricsURL(of: server.program)
        for index in 0..<5 {
            let connection = try server.connect()
            defer { connection.close() }
            #expect(try connection.roundTrip("metric \(index)") == "METRIC \(index)")
        }
        // 5 connections at 2 per worker: at least 2 workers recycled, and replaced.
        let scrape = try MetricsScrape.waitFor(url) {
            $0["procctl_worker_restarts_total{reason=\"recycled\"}"] ?? 0 >= 2 && $0["procctl_workers{state=\"idle\"}"] == 2
        }
        #expect(scrape.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(scrape["procctl_connections_total"] == 5)
        #expect(scrape["procctl_connections_active"] == 0)
        #expect(scrape["procctl_workers{state=\"idle\"}"] == 2)
        #expect(scrape["procctl_workers{state=\"busy\"}"] == 0)
        #expect(scrape["procctl_worker_restarts_total{reason=\"recycled\"}"] ?? 0 >= 2)
        #expect(scrape["procctl_worker_restarts_total{reason=\"crash\"}"] == 0)
        #expect(scrape["procctl_worker_restarts_total{reason=\"timeout\"}"] == 0)
        #expect(scrape["procctl_worker_restarts_total{reason=\"exit\"}"] == 0)
        #expect(scrape["procctl_accept_queue_length"] == 0)
        #expect(scrape["procctl_accept_queue_limit"] == 128)
        #expect(scrape.samples.keys.contains { $0.hasPrefix("procctl_build_info{version=\"") && $0.hasSuffix("model=\"prefork\"}") })
        // A worker killed from outside is a crash, and is replaced.
        let workers = ProcessTable.children(of: server.pid).filter { $0.state != "Z" }.map(\.pid)
        guard let victim = workers.first else { throw HarnessError("no worker") }
        kill(victim, SIGKILL)
        let crashed = try MetricsScrape.waitFor(url) { $0["procctl_worker_restarts_total{reason=\"crash\"}"] == 1 }
        #expect(crashed["procctl_worker_restarts_total{reason=\"crash\"}"] == 1)
    }

    @Test("--metrics parses with prometheus_client: families, types and labels",
          .enabled(if: MetricsScrape.clientAvailable && MetricsScrape.parserAvailable, MetricsScrape.parserSkipReason))
    func metricsParseWithPrometheusClient() throws {
        let server = try RunningServer(["--workers", "1", "--metrics", "127.0.0.1:0", "--grace", "1"])
        defer { server.stop() }
        let url = try Self.metricsURL(of: server.program)
        let connection = try server.connect()
        #expect(try connection.roundTrip("parsed") == "PARSED")
        connection.close()
        _ = try MetricsScrape.waitFor(url) { $0["procctl_connections_total"] == 1 }
        let scrape = try MetricsScrape(url, parse: true)
        #expect(scrape["procctl_connections_total"] == 1)
        #expect(scrape.types["procctl_connections_total"] == "counter")
        #expect(scrape.types["procctl_connections_active"] == "gauge")
        #expect(scrape.types["procctl_worker_restarts_total{reason=\"recycled\"}"] == "counter")
        #expect(scrape.types["procctl_accept_queue_length"] == "gauge")
        #expect(scrape.samples.keys.contains { $0.hasPrefix("procctl_build_info{model=\"prefork\",version=\"") })
        #expect(scrape["procctl_workers{state=\"idle\"}"] == 1)
    }

    @Test("Stuck scrapers never stall the master: connections are served, then a scrape works",
          .enabled(if: MetricsScrape.clientAvailable, MetricsScrape.clientSkipReason))
    func stuckScrapers() throws {
        // Fork mode: the master accepts every connection itself, so a stalled master shows at once.
        let server = try RunningServer(["--metrics", "127.0.0.1:0", "--grace", "1", "--quiet"])
        defer { server.stop() }
        let url = try Self.metricsURL(of: server.program)
        let metricsPort = Int(url.split(separator: ":").last!.split(separator: "/").first!)!
        // More than the endpoint's 8 at once: silent ones, and ones that stop mid-request.
        var stuck: [TestConnection] = []
        defer { for connection in stuck { connection.close() } }
        for index in 0..<12 {
            let connection = try TestConnection(port: metricsPort)
            if index % 2 == 0 { try connection.send("GET /metr") }
            stuck.append(connection)
        }
        for index in 0..<5 {
            let connection = try server.connect()
            defer { connection.close() }
            #expect(try connection.roundTrip("served \(index)") == "SERVED \(index)")
        }
        // The stuck ones time out (2 s each, at most 8 at once); then a scrape gets through.
        let scrape = try MetricsScrape(url)
        #expect(scrape["procctl_connections_total"] == 5)
        #expect(scrape.samples.keys.contains { $0.hasPrefix("procctl_build_info{version=\"") && $0.hasSuffix(",model=\"forkPerConnection\"}") })
        #expect(scrape["procctl_workers{state=\"idle\"}"] == nil)
        // A request that never ends is cut at 4 KiB with a 431, not buffered for ever.
        let flood = try TestConnection(port: metricsPort)
        defer { flood.close() }
        try flood.send(Array(repeating: UInt8(ascii: "A"), count: 5000))
        let reply = String(decoding: try flood.stream([], timeout: 10), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 431 "), "\(reply.prefix(80))")
    }

    @Test("A bad --metrics address is one usage error", arguments: ["nope", "127.0.0.1", "127.0.0.1:70000", "localhost:9100", ":9100", "[::1]:x"])
    func badMetricsAddress(value: String) throws {
        let run = try Procctl.run(["serve", "--metrics", value])
        #expect(run.status == 64)
        #expect(run.standardError.hasPrefix("Error: --metrics must be HOST:PORT"), "\(run.standardError)")
        #expect(run.standardOutput.isEmpty)
    }

    @Test("A --metrics port in use is one line and exit 1")
    func metricsPortInUse() throws {
        var fd: Int32 = -1
        var port: Int32 = 0
        guard pc_tcp_listen("127.0.0.1", 0, 1, &fd, &port) == 0 else { throw HarnessError("listen") }
        defer { _ = pc_close(fd) }
        let run = try Procctl.run(["serve", "--port", "0", "--metrics", "127.0.0.1:\(port)"])
        #expect(run.status == 1)
        #expect(run.standardError == "procctl: cannot serve metrics on 127.0.0.1:\(port): Address already in use\n")
        #expect(run.standardOutput.isEmpty)
    }
}
