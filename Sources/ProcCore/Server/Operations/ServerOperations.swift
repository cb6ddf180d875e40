import CProcShim

/// What a server's master does for the people who run it, beside serving: the admin
/// endpoint (`/metrics`, `/healthz`, `/readyz`) and the service manager's notifications. Both models' loops give
/// it one poll slot (`descriptor`), a share of their poll timeout (`nextDue`) and a call
/// after each wait (`perform`), and it asks them for figures (`ServerMetrics`) only when a
/// scrape or a STATUS line needs them: between two connections it costs the loop a
/// branch, never a page written (what a fork-per-connection master writes, its next
/// fork copies).
final class ServerOperations {
    /// The metrics endpoint, when the configuration has a metrics address.
    let metrics: MetricsEndpoint?
    /// READY=1, STOPPING=1, STATUS=, WATCHDOG=1, when `NOTIFY_SOCKET` is set.
    let notifications: ServiceNotifications
    /// Whether there is anything to do at all: when false every call returns at once.
    let isActive: Bool
    private let listener: SocketListener
    private let identity: ServerIdentity
    /// What `/readyz` and the `state` gauge say; the lifecycle sets it.
    var state = ServerState.starting
    /// The PROXY header failures that children and workers count, with the PROXY protocol on.
    private let proxyHeaderFailures: ProxyHeaderFailures?

    /// Metrics on `metricsAddress` (none when nil) under `identity`'s namespace, and the
    /// notifications of a server on `listener`. Throws when the metrics address cannot be
    /// listened on. `proxyHeaderFailures` are exposed with the metrics when given.
    init(
        metricsAddress: SocketAddress?, identity: ServerIdentity, listener: SocketListener, log: ServerLog, proxyHeaderFailures: ProxyHeaderFailures? = nil
    ) throws(ProcessError) {
        metrics = try metricsAddress.map { address throws(ProcessError) in try MetricsEndpoint(address: address) }
        notifications = ServiceNotifications(serving: "\(listener.address)", log: log)
        isActive = metrics != nil || notifications.isActive
        self.listener = listener
        self.identity = identity
        self.proxyHeaderFailures = proxyHeaderFailures
    }

    /// Where the metrics are served, with the real port, or nil.
    var metricsAddress: SocketAddress? { metrics?.address }

    /// The descriptor for the master's poll set, readable when a scraper needs attention; -1 without metrics.
    var descriptor: Int32 { metrics?.descriptor ?? -1 }

    /// The next moment `perform` has something to do without an event (a scrape that times
    /// out, a WATCHDOG=1 or STATUS= due), or nil; for the master's poll timeout.
    var nextDue: MonotonicInstant? {
        guard isActive else { return nil }
        return [metrics?.nextDeadline, notifications.nextDue].compactMap { $0 }.min()
    }

    /// Serves scrapes when `metricsReady` (the poll slot's events) or one is past its time,
    /// and sends what is due; `snapshot` gives the master's figures, only when needed.
    func perform(at now: MonotonicInstant, metricsReady: Bool, snapshot: () -> ServerMetrics) {
        guard isActive else { return }
        if let metrics, metricsReady || metrics.nextDeadline.map({ $0 <= now }) == true {
            metrics.serve(at: now, state: state) {
                var queued: UInt32 = 0
                var limit: UInt32 = 0
                let queue = pc_listener_queue_length(listener.rawDescriptor, &queued, &limit) == 0 ? (queued, limit) : nil
                return MetricsExposition.text(
                    of: snapshot(), state: state, identity: identity, acceptQueue: queue, proxyHeaderFailures: proxyHeaderFailures?.counts)
            }
        }
        notifications.tick(at: now, metrics: snapshot)
    }

    /// In a forked child or worker: closes the master's metrics sockets, which it must not hold.
    func closeInChild() {
        metrics?.close()
    }
}
