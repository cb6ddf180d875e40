import ArgumentParser
import ProcCore

/// The seed's forking echo server: a child per connection, every byte echoed upper-cased;
/// or, after `--`, any program per connection, as tcpserver runs one.
struct Serve: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Serve TCP connections, one forked child each, echoing every byte with a-z upper-cased.",
        discussion: """
            Prints 'listening on HOST:PORT' on stdout once listening (the real port with --port 0; \
            the path with --unix) and logs connections and children on stderr. \
            With --unix PATH it serves a Unix stream socket instead of TCP (behind nginx on one host): \
            a program then gets PROTO=UNIX, UNIXLOCALPATH, UNIXREMOTEPID, UNIXREMOTEEUID and \
            UNIXREMOTEEGID, as ucspi-unix's unixserver sets them, and the peer is logged as 'unix'. \
            SIGTERM or SIGINT stops accepting (after --drain-delay \
            seconds, during which /readyz fails), serves what is queued on the listener, lets live \
            connections go on for up to --grace seconds, kills the rest and exits 0; SIGQUIT, or a \
            second SIGTERM, stops at once: every child, worker and program is killed. \
            After --, a PROGRAM [ARGS...] serves each connection instead of the echo: \
            procctl serve --port 8080 -- stdbuf -oL tr a-z A-Z. \
            With --workers N, N workers forked at start serve the connections instead (prefork), \
            supervised: replaced when they die, recycled by --max-requests, killed by --worker-timeout; \
            SIGTTIN and SIGTTOU add or remove a worker. \
            SIGHUP reloads (prefork: a new generation of workers, the old ones leave after their connection). \
            SIGUSR2 upgrades: the program file is started again with the same arguments and takes the \
            listening socket over; once it serves, this server drains and exits 0. \
            Under systemd: a socket passed by socket activation (LISTEN_FDS, LISTEN_PID) is served \
            instead of --host/--port or --unix (the first one, when several are passed; TCP or Unix), and with NOTIFY_SOCKET \
            the server sends READY=1, RELOADING=1, STOPPING=1, STATUS= lines and, with WATCHDOG_USEC, \
            WATCHDOG=1 (contrib/systemd has the units).
            """
    )

    static let examples = [
        "procctl serve --port 8080                         # the forking echo server",
        "procctl serve --workers 8 --max-requests 1000     # prefork: 8 workers, each replaced after 1000 connections",
        "procctl serve -- stdbuf -oL tr a-z A-Z            # a program per connection (stdbuf: tr answers each line)",
        "procctl serve --unix /run/app.sock --unix-mode 660  # a Unix socket that the owner and group may connect to",
        "procctl serve --log-format json 2>&1 >/dev/null | jq -c 'select(.event == \"connection\")'   # the log as JSON, for jq",
    ]

    @Option(help: "The numeric address to listen on; 0.0.0.0 for every IPv4 interface (default: 127.0.0.1).")
    var host: String?

    @Option(parsing: .unconditional, help: "The port to listen on; 0 for an ephemeral port (default: 8080).")
    var port: Int?

    @Option(help: ArgumentHelp(
        "Listen on a Unix stream socket at this path instead of TCP (not with --host or --port; @NAME: an abstract name). A socket file left by a server that is gone is replaced; one a live server holds, or any other file, is refused. The file is removed when the server stops.",
        valueName: "path"
    ))
    var unix: String?

    @Option(name: .customLong("unix-mode"), help: ArgumentHelp(
        "The permissions of the --unix socket's file, in octal (660: its owner and group may connect; connecting needs write permission), set before anyone can connect (default: 777 less the umask, as bind(2) makes it).",
        valueName: "mode"
    ))
    var unixMode: String?

    @Option(parsing: .unconditional, help: "How many connections the kernel queues before accept.")
    var backlog = 128

    @Option(name: .customLong("max-children"), parsing: .unconditional, help: "At most this many connections are served at once; the next ones wait in the backlog (default 256; fork-per-connection only).")
    var maxChildren: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Prefork: fork this many workers at start, each serving one connection at a time from the shared listener, instead of a child per connection. With -- PROGRAM, each worker runs the program for each of its connections: N bounds how many are served at once.",
        valueName: "n"
    ))
    var workers: Int?

    @Option(name: .customLong("max-workers"), parsing: .unconditional, help: ArgumentHelp("Prefork: while every worker is busy, fork more (1, 2, 4... per second) up to this many; an extra worker idle for 10 s leaves (default: --workers).", valueName: "m"))
    var maxWorkers: Int?

    @Option(name: .customLong("max-requests"), parsing: .unconditional, help: ArgumentHelp("Prefork: a worker that has served this many connections is replaced, between two connections; 0 for never.", valueName: "n"))
    var maxRequests: Int?

    @Option(name: .customLong("max-requests-jitter"), parsing: .unconditional, help: ArgumentHelp("Prefork: add a random 0...J to each worker's --max-requests, so that workers are not all replaced at once.", valueName: "j"))
    var maxRequestsJitter: Int?

    @Option(name: .customLong("worker-timeout"), parsing: .unconditional, help: ArgumentHelp("Prefork: a busy worker that makes no progress for this many seconds (no read or write by it or its program, stuck, spinning or stopped; waiting for its client is not hung) is killed and replaced; 0 for never.", valueName: "seconds"))
    var workerTimeout: Double?

    @Option(name: .customLong("idle-timeout"), parsing: .unconditional, help: "Seconds a connection may stay idle before it is closed; 0 for never.")
    var idleTimeout = 300.0

    @Option(parsing: .unconditional, help: "Seconds live connections may go on after SIGTERM or SIGINT before they are killed.")
    var grace = 10.0

    @Option(name: .customLong("drain-delay"), parsing: .unconditional, help: ArgumentHelp("Seconds the server goes on accepting after SIGTERM or SIGINT while /readyz already answers 503, so that a load balancer's health check takes it out of rotation first (make it longer than the check's interval times its fall count); then it stops accepting and serves what is queued. A second SIGTERM, or SIGQUIT, stops at once.", valueName: "seconds"))
    var drainDelay = 0.0

    @Flag(help: "Log errors only.")
    var quiet = false

    @Option(name: .customLong("log-format"), help: ArgumentHelp("How stderr's log lines are written: text, or json (one object per line: time, level, event, message and the event's fields).", valueName: "format"))
    var logFormat: ServerLogFormat = .text

    @Flag(name: .customLong("reuse-port"), help: "Set SO_REUSEPORT, so that several independent procctl serve processes (each with --reuse-port) share the port and the kernel spreads connections among them.")
    var reusePort = false

    @Option(help: ArgumentHelp("The admin address: serve Prometheus metrics at http://HOST:PORT/metrics, /healthz (200 while the server runs) and /readyz (200 while it accepts new connections, 503 while it starts or drains) from the master (port 0: an ephemeral one); printed as 'metrics on http://HOST:PORT/metrics' once ready.", valueName: "host:port"))
    var metrics: String?

    @Option(name: .customLong("pid-file"), help: ArgumentHelp("Write the server's pid to this file once it serves (the new master's after a SIGUSR2 upgrade); removed at exit if it still holds that pid.", valueName: "path"))
    var pidFile: String?

    @Flag(name: .customLong("proxy-protocol"), help: ArgumentHelp(
        "Behind a load balancer: every connection must begin with a PROXY protocol header, v1 or v2 (HAProxy's send-proxy or send-proxy-v2, nginx's proxy_protocol on), whose client address becomes the connection's peer (the log, a program's TCPREMOTEIP and TCPREMOTEPORT; its TCPLOCALIP and TCPLOCALPORT are the address the client connected to). A v2 LOCAL header (a health check) keeps the balancer's address. A connection without a valid header within 5 s (or --idle-timeout, when shorter) is closed, logged at most once a second, and counted in the metrics."
    ))
    var proxyProtocol = false

    @Option(name: .customLong("upgrade-timeout"), parsing: .unconditional, help: ArgumentHelp("Seconds a SIGUSR2 upgrade waits for the new master to serve before it kills it and goes on serving.", valueName: "seconds"))
    var upgradeTimeout = 60.0

    @Argument(parsing: .postTerminator, help: ArgumentHelp(
        "A program (and its arguments) to run for each connection instead of the echo, as tcpserver does: stdin and stdout on the socket, with PROTO=TCP, TCPREMOTEIP, TCPREMOTEPORT, TCPLOCALIP and TCPLOCALPORT in its environment.",
        valueName: "program"
    ))
    var program: [String] = []

    func validate() throws {
        // ArgumentParser leaves `program` empty after a `--` with nothing behind it, as
        // without one: the echo would be served where a program was meant.
        if program.isEmpty && CommandLine.arguments.dropFirst().contains("--") {
            throw ValidationError("Missing the program after --, as in: procctl serve -- PROGRAM [ARGS...]")
        }
        _ = try address
        if unix != nil && reusePort { throw ValidationError("--reuse-port is for TCP: a Unix socket's path belongs to one server.") }
        _ = try unixSocketMode
        try validateModelOptions()
        // Numbers of seconds become Durations: a NaN or a huge one must not get that far.
        guard idleTimeout >= 0, idleTimeout <= 1e6 else { throw ValidationError("--idle-timeout must be a number of seconds, 0 or more (got \(idleTimeout.asTyped)).") }
        guard grace >= 0, grace <= 1e6 else { throw ValidationError("--grace must be a number of seconds, 0 or more (got \(grace.asTyped)).") }
        guard drainDelay >= 0, drainDelay <= 1e6 else { throw ValidationError("--drain-delay must be a number of seconds, 0 or more (got \(drainDelay.asTyped)).") }
        guard upgradeTimeout > 0, upgradeTimeout <= 1e6 else { throw ValidationError("--upgrade-timeout must be a number of seconds above 0 (got \(upgradeTimeout.asTyped)).") }
        if let workerTimeout, !(workerTimeout >= 0 && workerTimeout <= 1e6) { throw ValidationError("--worker-timeout must be a number of seconds, 0 or more (got \(workerTimeout.asTyped)).") }
        if let metrics { _ = try Self.metricsAddress(metrics) }
        // Every range the server has is checked once, by the library.
        let configuration = try configuration()
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.describe(naming: Self.option) + ".")
        }
    }

    func run() throws {
        let configuration = try configuration()
        let server: Server
        do {
            if let executable = program.first {
                server = try Server(configuration: configuration, program: Program(executable, arguments: Array(program.dropFirst())))
            } else {
                server = try Server(configuration: configuration, handler: EchoHandler().serve)
            }
        } catch {
            throw startFailure(error)
        }
        let summary = server.run(whenReady: {
            Terminal.say("listening on \(server.address)")
            if let address = server.metricsAddress {
                Terminal.say("metrics on http://\(address)/metrics")
            }
        })
        // The master has logged why (workers that cannot start).
        if summary.haltReason != nil { throw ExitCode(1) }
    }

    /// The server's configuration, from the options (checked by `validate`).
    private func configuration() throws -> ServerConfiguration {
        ServerConfiguration(
            address: try address, backlog: backlog,
            idleTimeout: idleTimeout > 0 ? .seconds(idleTimeout) : nil,
            grace: .seconds(grace), drainDelay: .seconds(drainDelay), quiet: quiet, logFormat: logFormat,
            model: model, reusePort: reusePort, metricsAddress: try metrics.map(Self.metricsAddress),
            identity: ServerIdentity(name: "procctl", version: Procctl.version),
            pidFile: pidFile, upgradeTimeout: .seconds(upgradeTimeout), proxyProtocol: proxyProtocol,
            unixSocketMode: try unixSocketMode
        )
    }

    /// `--unix PATH`, or `--host` and `--port`.
    private var address: SocketAddress {
        get throws { try NumericAddress.address(host: host, port: port, unix: unix, ports: 0...65535) }
    }

    /// `--unix-mode` as permission bits (octal 0 to 777), with `--unix` only; nil without it.
    private var unixSocketMode: Int? {
        get throws {
            guard let unixMode else { return nil }
            guard unix != nil else { throw ValidationError("--unix-mode needs --unix (it sets the socket file's permissions).") }
            guard let mode = Int(unixMode, radix: 8), (0...0o777).contains(mode) else {
                throw ValidationError("--unix-mode must be octal permissions from 0 to 777, such as 660 (got '\(unixMode)').")
            }
            return mode
        }
    }

    /// Says why the server did not start, per failure; returns the exit code to throw.
    private func startFailure(_ error: ServerError) -> ExitCode {
        switch error.code {
        case .cannotExecute:
            return fail("cannot run '\(program.first ?? "")': \(error.reason)", exitCode: 127)
        case .cannotWritePidFile:
            return fail("cannot write pid file \(pidFile ?? ""): \(error.reason)")
        case .cannotServeMetrics:
            return fail("cannot serve metrics on \(metrics ?? ""): \(error.reason)")
        case .invalidPassedSocket:
            // A malformed LISTEN_FDS or LISTEN_PID, or a passed descriptor that does not listen.
            return fail("refusing to start: \(error.underlying.map { "\($0)" } ?? error.reason)")
        case .cannotListen:
            let address = (try? address).map { "\($0)" } ?? ""
            return fail("cannot listen on \(address): \(unix.map { UnixPathFailure.reason(error, path: $0) } ?? error.reason)")
        case .invalidConfiguration:
            return fail(error.invalidValue.map { $0.describe(naming: Self.option) } ?? error.reason)
        case .cannotStart:
            return fail("serve: \(error)")
        }
    }

    /// Says why the server did not start, in the log's format; returns the exit code to throw.
    private func fail(_ message: String, exitCode: Int32 = 1) -> ExitCode {
        guard logFormat == .json else { return Terminal.fail(message, exitCode: exitCode) }
        logFormat.writeError("procctl: " + message, event: "start_failed")
        return ExitCode(exitCode)
    }

    /// `--metrics HOST:PORT` (`[v6]:PORT` for IPv6), checked as `--host` and `--port` are.
    private static func metricsAddress(_ text: String) throws -> SocketAddress {
        try NumericAddress.parse(text, option: "--metrics")
    }

    /// Fork per connection, or prefork with `--workers`.
    private var model: ServerModel {
        guard let workers else { return .forkPerConnection(maxChildren: maxChildren ?? 256) }
        var options = PreforkOptions(workers: workers)
        options.maxWorkers = maxWorkers ?? workers
        options.maxRequests = maxRequests.flatMap { $0 == 0 ? nil : $0 }
        options.maxRequestsJitter = maxRequestsJitter ?? 0
        options.workerTimeout = workerTimeout.flatMap { $0 > 0 ? .seconds($0) : nil }
        return .prefork(options)
    }

    /// What the configuration has no word for: options of one model given with the other.
    private func validateModelOptions() throws {
        guard workers != nil else {
            let preforkOnly = [("--max-workers", maxWorkers != nil), ("--max-requests", maxRequests != nil),
                               ("--max-requests-jitter", maxRequestsJitter != nil), ("--worker-timeout", workerTimeout != nil)]
            if let (name, _) = preforkOnly.first(where: \.1) { throw ValidationError("\(name) needs --workers (the prefork model).") }
            return
        }
        if maxChildren != nil { throw ValidationError("--max-children is for the fork-per-connection model; with --workers, use --max-workers.") }
    }

    /// The option that sets `field`.
    private static func option(for field: ServerConfiguration.InvalidValue.Field) -> String {
        switch field {
        case .port: "--port"
        case .backlog: "--backlog"
        case .maxChildren: "--max-children"
        case .workers: "--workers"
        case .maxWorkers: "--max-workers"
        case .maxRequests: "--max-requests"
        case .maxRequestsJitter: "--max-requests-jitter"
        case .workerTimeout: "--worker-timeout"
        case .idleTimeout: "--idle-timeout"
        case .grace: "--grace"
        case .drainDelay: "--drain-delay"
        case .upgradeTimeout: "--upgrade-timeout"
        case .pidFile: "--pid-file"
        // Not options of serve: procctl sets them itself.
        case .extraWorkerIdleTimeout: "the extra workers' idle timeout"
        case .identityName: "the server's name"
        case .unixSocketMode: "--unix-mode"
        }
    }
}
