import CProcShim

import Glibc

/// A TCP or Unix socket server whose connections are each served by a forked child (or a prefork
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
/// `init` checks the configuration (`ServerConfiguration.validate()`), listens (or takes
/// over a listener passed the systemd way: by systemd's socket activation, or by a master
/// on SIGUSR2; see `passedListener(for:)`), binds the metrics endpoint when the
/// configuration asks for one, then routes SIGTERM, SIGINT, SIGHUP, SIGUSR2 and SIGQUIT
/// (prefork: SIGTTIN and SIGTTOU too) to the master's loop (`MasterLoop`) and ignores
/// SIGPIPE (when it throws a `ServerError`, none of that has happened). `run` serves
/// until SIGTERM or SIGINT comes, then stops accepting, lets live connections go on for
/// up to `grace`, kills the rest and reaps every child; SIGQUIT kills and reaps them at
/// once. SIGHUP reloads (prefork: a new generation of workers); SIGUSR2 execs this program again, with the same arguments, to take the
/// listener over: once that new master serves, this one drains the same way. A program
/// that serves with `Server` gets the upgrade by creating its server the same way at every
/// start. With `NOTIFY_SOCKET` set it tells the service manager how it is doing
/// (READY=1, RELOADING=1, STOPPING=1, STATUS=, WATCHDOG=1; `ServiceNotifications`).
/// Start it before any thread: its children are forked from the calling thread.
public final class Server {
    /// What the server listens on and how it serves.
    public let configuration: ServerConfiguration
    let listener: SocketListener
    /// Whether the listener's Unix socket file is this server's to remove when it stops:
    /// one it bound, or took over from the master it upgraded; not one systemd made.
    private let ownsSocketFile: Bool
    /// The server's own log lines on stderr (parent-only memory), as text or JSON.
    let log: ServerLog
    /// Metrics and the service manager's notifications, served from the master's loop.
    let operations: ServerOperations
    /// Ready, reloads and the drain, as told to the world outside (pid file, an old
    /// master, the service manager).
    let lifecycle: ServerLifecycle
    /// The master's loop around the configured model (`MasterLoop`), run once.
    private let serve: () -> ServerSummary
    private var hasRun = false
    /// How long the last log lines may wait for stderr's reader once the server has stopped.
    private static let finalLogWait: Duration = .seconds(1)

    /// The port the server listens on: the kernel's choice when the configuration asked
    /// for 0, the passed socket's under socket activation; 0 on a Unix socket.
    public var port: Int { listener.port }
    /// The address the server listens on: the configuration's (with the real port), or the
    /// passed socket's.
    public var address: SocketAddress { listener.address }
    /// Where the metrics are served (the real port when the configuration asked for 0), or nil.
    public var metricsAddress: SocketAddress? { operations.metricsAddress }

    /// Listens as `configuration` says; each connection is served by `handler` in a forked
    /// child or a worker. Throws a `ServerError`: `.invalidConfiguration` for a value out
    /// of range (`ServerConfiguration.validate()`), `.cannotListen` when the address cannot
    /// be listened on (errno EADDRINUSE, EADDRNOTAVAIL, EACCES), `.cannotServeMetrics`,
    /// `.cannotWritePidFile`, `.invalidPassedSocket`.
    public convenience init(configuration: ServerConfiguration, handler: @escaping ConnectionHandler) throws(ServerError) {
        try self.init(configuration: configuration) { () throws(ServerError) in .handler(handler) }
    }

    /// Listens as `configuration` says; each connection runs `program` with stdin and
    /// stdout on the socket and tcpserver's environment (`PROTO=TCP`, `TCPREMOTEIP`,
    /// `TCPREMOTEPORT`, `TCPLOCALIP`, `TCPLOCALPORT`; on a Unix socket, unixserver's:
    /// `PROTO=UNIX`, `UNIXLOCALPATH`, `UNIXREMOTEPID`... as `UnixServerVariables` lists them)
    /// added to `program.environment` or to this process's. The executable is resolved through PATH here: one that cannot be
    /// run throws `.cannotExecute` (with its errno), before anything listens.
    public convenience init(configuration: ServerConfiguration, program: Program) throws(ServerError) {
        try self.init(configuration: configuration) { () throws(ServerError) in
            .program(try Self.starting(.cannotExecute, "run '\(program.executable)'") { () throws(ProcessError) in
                try ProgramSpawner(program: program, withholding: configuration.identity.readyVariable)
            })
        }
    }

    private init(configuration: ServerConfiguration, work: () throws(ServerError) -> ConnectionService.Work) throws(ServerError) {
        do {
            try configuration.validate()
        } catch {
            throw ServerError(error)
        }
        self.configuration = configuration
        let log = ServerLog(format: configuration.logFormat, quiet: configuration.quiet, prefix: configuration.identity.logPrefix)
        self.log = log
        // Passed sockets and the upgrade's pipe first: their variables leave the environment
        // before a program's copy of it is read.
        let passed = try Self.starting(.invalidPassedSocket, "take the passed sockets") { () throws(ProcessError) in
            try Self.passedListener(for: configuration, log: log)
        }
        let handover = UpgradeHandover.fromEnvironment(variable: configuration.identity.readyVariable, log: log)
        let pidFile = configuration.pidFile.map { PidFile(path: $0) }
        let service: ConnectionService
        let proxyHeaderFailures: ProxyHeaderFailures?
        do {
            if let pidFile {
                try Self.starting(.cannotWritePidFile, "write pid file \(pidFile.path)") { () throws(ProcessError) in try pidFile.checkWritable() }
            }
            proxyHeaderFailures = configuration.proxyProtocol
                ? try Self.starting(.cannotStart, "count PROXY header failures") { () throws(ProcessError) in try ProxyHeaderFailures() } : nil
            service = ConnectionService(work: try work(), idleTimeout: configuration.idleTimeout, log: log, proxyHeaderFailures: proxyHeaderFailures)
        } catch {
            passed?.close()
            throw error
        }
        // Listening next: an init that fails on the address leaves the signals alone.
        let listener: SocketListener
        if let passed {
            listener = passed
        } else {
            listener = try Self.starting(.cannotListen, "listen on \(configuration.address)") { () throws(ProcessError) in
                try SocketListener(
                    address: configuration.address, backlog: configuration.backlog, reusePort: configuration.reusePort,
                    unixSocketMode: configuration.unixSocketMode)
            }
        }
        self.listener = listener
        ownsSocketFile = passed == nil || handover != nil
        do {
            let operations = try Self.starting(.cannotServeMetrics, "serve metrics on \(configuration.metricsAddress.map { "\($0)" } ?? "")") {
                () throws(ProcessError) in try ServerOperations(
                    metricsAddress: configuration.metricsAddress, identity: configuration.identity, listener: listener, log: log,
                    proxyHeaderFailures: proxyHeaderFailures)
            }
            let lifecycle = ServerLifecycle(pidFile: pidFile, handover: handover, operations: operations, log: log)
            self.operations = operations
            self.lifecycle = lifecycle
            serve = try Self.starting(.cannotStart, "route the signals") { () throws(ProcessError) in
                try check("sigaction", pc_ignore_sigpipe())
                // A socket passed without an upgrade's pipe is a service manager's (systemd).
                let context = ServingContext(
                    listener: listener, listenerKeptByServiceManager: passed != nil && handover == nil, service: service, log: log,
                    operations: operations, lifecycle: lifecycle)
                let parts = MasterParts(context: context, upgrade: BinaryUpgrade(timeout: configuration.upgradeTimeout, readyVariable: configuration.identity.readyVariable), grace: configuration.grace, drainDelay: configuration.drainDelay)
                switch configuration.model {
                case .forkPerConnection(let maxChildren):
                    return try parts.loop(serving: ForkPerConnectionModel(context: context, maxChildren: maxChildren))
                case .prefork(let options):
                    return try parts.loop(serving: PreforkModel(context: context, options: options))
                }
            }
        } catch {
            listener.close()
            if passed == nil { listener.removeSocketFile() }
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
            // In text, `whenReady` says it (a program prints its own line).
            log.noteInJSON(ServerEvent(
                "listening", .info, "listening on \(address)",
                address.port == nil ? ["path": .string("\(address)")] : ["host": .string(address.host ?? ""), "port": .int(address.port ?? 0)]))
            whenReady?()
        }
        defer {
            lifecycle.finished()
            operations.metrics?.close()
            // An upgraded master serves on the file now: it removes it when it stops.
            if ownsSocketFile && !lifecycle.hasHandedOver { listener.removeSocketFile() }
        }
        let summary = serve()
        log.note(ServerEvent(
            "stopped", .info, "shut down: served \(summary.connectionsServed) connections, killed \(summary.childrenKilled) children",
            ["connections_served": .int(summary.connectionsServed), "children_killed": .int(summary.childrenKilled)]))
        // The master no longer serves: its last lines may wait a little for stderr's reader.
        log.flush(waitingUpTo: Self.finalLogWait)
        return summary
    }

    /// Runs `body`, a step of the start; its failure becomes a `ServerError` of `code`.
    private static func starting<T>(_ code: ServerError.Code, _ operation: String, _ body: () throws(ProcessError) -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch {
            throw ServerError(code, operation: operation, underlying: error)
        }
    }
}
