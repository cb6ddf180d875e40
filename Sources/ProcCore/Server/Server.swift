import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// A TCP server whose connections are each served by a forked child (or a prefork
/// worker) running a `ConnectionHandler`, or by a program, as tcpserver runs one.
///
/// ```swift
/// let server = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0))) { connection, peer in
///     try connection.writeAll(Array("hello, \(peer)\n".utf8))
/// }
/// print("listening on port \(server.port)")
/// let summary = server.run()   // until SIGTERM or SIGINT, then the drain
/// ```
///
/// `init` listens (or takes over a listener passed the systemd way: by systemd's socket
/// activation, or by a master on SIGUSR2; see `passedListener(for:)`), binds the metrics
/// endpoint when the configuration asks for one, then routes SIGTERM, SIGINT, SIGHUP, SIGUSR2 and SIGQUIT to the server's loop and ignores
/// SIGPIPE (when it throws, none of that has happened). `run` serves until SIGTERM or
/// SIGINT comes, then stops accepting, lets live connections go on for up to `grace`,
/// kills the rest and reaps every child; SIGQUIT kills and reaps them at once. SIGHUP reloads (prefork: a new generation of
/// workers); SIGUSR2 execs this program again, with the same arguments, to take the
/// listener over: once that new master serves, this one drains the same way. A program
/// that serves with `Server` gets the upgrade by creating its server the same way at every
/// start. With `NOTIFY_SOCKET` set it tells the service manager how it is doing
/// (READY=1, RELOADING=1, STOPPING=1, STATUS=, WATCHDOG=1; `ServiceNotifications`).
/// Start it before any thread: its children are forked from the calling thread.
public final class Server {
    /// What the server listens on and how it serves.
    public let configuration: ServerConfiguration
    let listener: TCPListener
    let signals: SignalPipe
    let service: ConnectionService
    /// The server's own log lines on stderr (parent-only memory), as text or JSON.
    let log: ServerLog
    /// Metrics and the service manager's notifications, served from the master's loop.
    let operations: ServerOperations
    /// Ready, reloads and the drain, as told to the world outside (pid file, an old
    /// master, the service manager).
    let lifecycle: ServerLifecycle
    /// SIGUSR2: the program file and arguments as started, for the new master.
    let upgrade: BinaryUpgrade
    private var hasRun = false
    /// How long the last log lines may wait for stderr's reader once the server has stopped.
    private static let finalLogWaitMilliseconds = 1000

    /// The port the server listens on: the kernel's choice when the configuration asked
    /// for 0, the passed socket's under socket activation.
    public var port: Int { listener.port }
    /// The address the server listens on: the configuration's (with the real port), or the
    /// passed socket's.
    public var address: SocketAddress { listener.address }
    /// Where the metrics are served (the real port when the configuration asked for 0), or nil.
    public var metricsAddress: SocketAddress? { operations.metricsAddress }

    /// Listens as `configuration` says; each connection is served by `handler` in a forked
    /// child or a worker. Throws when the address cannot be listened on (errno EADDRINUSE,
    /// EADDRNOTAVAIL, EACCES; the operation is `listen on HOST:PORT`) or a limit in the
    /// configuration is out of range (`.invalidArgument`).
    public convenience init(configuration: ServerConfiguration, handler: @escaping ConnectionHandler) throws(ProcessError) {
        try self.init(configuration: configuration) { () throws(ProcessError) in .handler(handler) }
    }

    /// Listens as `configuration` says; each connection runs `program` with stdin and
    /// stdout on the socket and tcpserver's environment (`PROTO=TCP`, `TCPREMOTEIP`,
    /// `TCPREMOTEPORT`, `TCPLOCALIP`, `TCPLOCALPORT`) added to `program.environment` or to
    /// this process's. The executable is resolved through PATH here: one that cannot be
    /// run throws `.cannotExecute` naming it, before anything listens.
    public convenience init(configuration: ServerConfiguration, program: Program) throws(ProcessError) {
        try self.init(configuration: configuration) { () throws(ProcessError) in .program(try ProgramSpawner(program: program)) }
    }

    private init(configuration: ServerConfiguration, work: () throws(ProcessError) -> ConnectionService.Work) throws(ProcessError) {
        try Self.validate(configuration)
        self.configuration = configuration
        log = ServerLog(format: configuration.logFormat, quiet: configuration.quiet)
        // Passed sockets and the upgrade's pipe first: their variables leave the environment
        // before a program's copy of it is read.
        let passed = try Self.passedListener(for: configuration, log: log)
        let handover = UpgradeHandover.fromEnvironment(log: log)
        let pidFile = configuration.pidFile.map { PidFile(path: $0) }
        do {
            try pidFile?.checkWritable()
            service = ConnectionService(work: try work(), idleTimeout: configuration.idleTimeout, log: log)
        } catch {
            passed?.close()
            throw error
        }
        // Listening next: an init that fails on the address leaves the signals alone.
        if let passed {
            listener = passed
        } else {
            listener = try TCPListener(address: configuration.address, backlog: configuration.backlog, reusePort: configuration.reusePort)
        }
        do {
            operations = try ServerOperations(configuration: configuration, listener: listener, log: log)
            lifecycle = ServerLifecycle(pidFile: pidFile, handover: handover, notifications: operations.notifications, log: log)
            upgrade = BinaryUpgrade(timeout: configuration.upgradeTimeout)
            try check("sigaction", pc_ignore_sigpipe())
            // SIGHUP reloads, SIGUSR2 upgrades the binary, SIGQUIT stops at once. Prefork's
            // master also takes SIGTTIN and SIGTTOU (one worker more or fewer).
            if case .prefork = configuration.model {
                signals = try SignalPipe.install(catching: [SIGTERM, SIGINT, SIGHUP, SIGUSR2, SIGQUIT, SIGTTIN, SIGTTOU])
            } else {
                signals = try SignalPipe.install(catching: [SIGTERM, SIGINT, SIGHUP, SIGUSR2, SIGQUIT])
            }
        } catch {
            listener.close()
            throw error
        }
    }

    /// Serves until SIGTERM or SIGINT, then drains; returns what it did. A second call
    /// returns at once: the listener is closed by then. `whenReady` runs once the server
    /// serves: at once for fork per connection, once the first worker waits in accept for
    /// prefork (never when no worker can start).
    /// The log says `shut down: served N connections, killed M children` at the end (the
    /// `stopped` event), and in JSON also `listening` once the server serves.
    public func run(whenReady: (() -> Void)? = nil) -> ServerSummary {
        guard !hasRun else { return ServerSummary() }
        hasRun = true
        let address = listener.address
        lifecycle.announce { [log] in
            // In text, `whenReady` says it, on stdout for procctl serve.
            log.noteInJSON(ServerEvent(
                "listening", .info, "listening on \(address)", ["host": .string(address.host ?? ""), "port": .int(address.port ?? 0)]))
            whenReady?()
        }
        defer {
            lifecycle.finished()
            operations.metrics?.close()
        }
        let summary = serve()
        log.note(ServerEvent(
            "stopped", .info, "shut down: served \(summary.connectionsServed) connections, killed \(summary.childrenKilled) children",
            ["connections_served": .int(summary.connectionsServed), "children_killed": .int(summary.childrenKilled)]))
        // The master no longer serves: its last lines may wait a little for stderr's reader.
        log.flush(waitingUpTo: Self.finalLogWaitMilliseconds)
        return summary
    }

    private func serve() -> ServerSummary {
        switch configuration.model {
        case .forkPerConnection(let maxChildren):
            do {
                let loop = try ForkPerConnectionLoop(
                    listener: listener, maxChildren: maxChildren, configuration: configuration,
                    service: service, log: log, signals: signals, operations: operations, lifecycle: lifecycle, upgrade: upgrade
                )
                return loop.run()
            } catch {
                log.now(ServerEvent("serve_failed", .error, "cannot serve: \(error)"))
                listener.close()
                return ServerSummary()
            }
        case .prefork(let options):
            let supervisor = PreforkSupervisor(
                listener: listener, options: options, configuration: configuration,
                service: service, log: log, signals: signals, operations: operations, lifecycle: lifecycle, upgrade: upgrade
            )
            return supervisor.run()
        }
    }

    private static func validate(_ configuration: ServerConfiguration) throws(ProcessError) {
        func refuse(_ what: String) -> ProcessError { ProcessError(.invalidArgument, operation: what) }
        guard configuration.backlog >= 1 else { throw refuse("backlog \(configuration.backlog)") }
        switch configuration.model {
        case .forkPerConnection(let maxChildren):
            guard maxChildren >= 1 else { throw refuse("maxChildren \(maxChildren)") }
        case .prefork(let options):
            try options.validate()
        }
    }
}
