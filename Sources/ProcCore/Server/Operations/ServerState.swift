/// Where a server is in its life, as its admin endpoint tells it: `/readyz` answers 200
/// only while it accepts new connections (`serving`, `reloading`), and the metrics
/// carry it as a `state` gauge family.
enum ServerState: String, CaseIterable {
    /// Not serving yet (prefork: no worker accepts yet).
    case starting
    /// Accepting and serving.
    case serving
    /// A reload (SIGHUP) is under way; still accepting.
    case reloading
    /// Stopping: from SIGTERM or SIGINT on (the drain delay included), or after handing
    /// over to an upgraded master. No longer ready, though it may still accept during
    /// the drain delay, so that a balancer's health check takes it out first.
    case draining

    /// Whether `/readyz` answers 200.
    var isReady: Bool { self == .serving || self == .reloading }
}
