/// What a `Server` listens on and how it serves, drains and logs.
public struct ServerConfiguration: Sendable {
    /// What to listen on: a numeric IPv4 or IPv6 address and a port (port 0 asks for an
    /// ephemeral one, which `Server.port` tells), or a Unix socket's path (`.unix(path:)`:
    /// a stale socket file is replaced, one a live server holds refused; the file is
    /// removed when the server stops; see `SocketListener.init(address:backlog:reusePort:unixSocketMode:)`).
    public var address: SocketAddress
    /// How many connections the kernel queues before accept.
    public var backlog: Int
    /// How long a connection may stay idle (no byte read or written); nil: for ever.
    public var idleTimeout: Duration?
    /// How long live connections may go on after SIGTERM or SIGINT before they are killed.
    public var grace: Duration
    /// How long the server goes on accepting after SIGTERM or SIGINT, while `/readyz`
    /// already fails, so that a load balancer's health check takes it out of rotation
    /// before it stops accepting (longer than the check's interval times its fall count;
    /// see docs/production.md). Zero (the default): it stops accepting at once.
    public var drainDelay: Duration
    /// Log errors and warnings only: no line per connection, child or worker.
    public var quiet: Bool
    /// How the log lines on stderr are written: text (the default) or one JSON object each.
    public var logFormat: ServerLogFormat
    /// Fork per connection or prefork.
    public var model: ServerModel
    /// Set SO_REUSEPORT on the listener, so that several independent servers share the
    /// port (see docs/production.md).
    public var reusePort: Bool
    /// Where to serve Prometheus metrics (`/metrics`) from the master; nil: nowhere.
    public var metricsAddress: SocketAddress?
    /// The server's name (its log lines' prefix, its metrics' namespace) and version.
    public var identity: ServerIdentity
    /// A file to write this process's pid to once it serves, removed at the end if it
    /// still holds that pid (after an upgrade it holds the new master's); nil: none.
    public var pidFile: String?
    /// How long a binary upgrade (SIGUSR2) waits for the new master to serve before it
    /// gives up, kills it and goes on serving.
    public var upgradeTimeout: Duration
    /// Every connection must begin with a PROXY protocol header (v1 or v2, as HAProxy's
    /// `send-proxy`/`send-proxy-v2` and nginx's `proxy_protocol on` send it), read by the
    /// child or worker before the handler or program runs: its source is the connection's
    /// peer (the handler's, the log's, a program's TCPREMOTEIP and TCPREMOTEPORT), its
    /// destination a program's TCPLOCALIP and TCPLOCALPORT; a v2 LOCAL header (a health
    /// check) or v1 UNKNOWN keeps the connection's own addresses. A connection without a
    /// whole valid header within 5 s (or the idle timeout, when shorter) is closed,
    /// logged (at most a line a second) and counted (`NAME_proxy_header_failures_total`).
    public var proxyProtocol: Bool
    /// The permission bits of a Unix socket's file (`0o660`: its owner and group may
    /// connect), set before anyone can connect; nil: 0777 less the umask, as bind(2) makes
    /// it. Ignored for TCP.
    public var unixSocketMode: Int?

    /// A configuration: by default 127.0.0.1:8080, backlog 128, idle timeout 300 s, grace
    /// 10 s, no drain delay, text log, one child per connection and at most 256 at once, no
    /// metrics, no pid file, 60 s for an upgraded master to become ready, a neutral identity
    /// and no PROXY protocol.
    public init(
        address: SocketAddress = .tcp(host: "127.0.0.1", port: 8080),
        backlog: Int = 128,
        idleTimeout: Duration? = .seconds(300),
        grace: Duration = .seconds(10),
        drainDelay: Duration = .zero,
        quiet: Bool = false,
        logFormat: ServerLogFormat = .text,
        model: ServerModel = .forkPerConnection(maxChildren: 256),
        reusePort: Bool = false,
        metricsAddress: SocketAddress? = nil,
        identity: ServerIdentity = ServerIdentity(),
        pidFile: String? = nil,
        upgradeTimeout: Duration = .seconds(60),
        proxyProtocol: Bool = false,
        unixSocketMode: Int? = nil
    ) {
        self.address = address
        self.backlog = backlog
        self.idleTimeout = idleTimeout
        self.grace = grace
        self.drainDelay = drainDelay
        self.quiet = quiet
        self.logFormat = logFormat
        self.model = model
        self.reusePort = reusePort
        self.metricsAddress = metricsAddress
        self.identity = identity
        self.pidFile = pidFile
        self.upgradeTimeout = upgradeTimeout
        self.proxyProtocol = proxyProtocol
        self.unixSocketMode = unixSocketMode
    }
}
