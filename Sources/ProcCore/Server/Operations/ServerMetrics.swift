/// What a server's master knows about its work at one moment, read from its own state
/// and the prefork scoreboard (never asked of a worker): the figures of `/metrics` and of
/// the service manager's STATUS line.
struct ServerMetrics {
    /// Prefork workers by what their scoreboard slot says.
    struct Workers {
        var idle = 0
        var busy = 0
        var starting = 0
    }

    /// `forkPerConnection` or `prefork`.
    var model: String
    /// Connections accepted since the start.
    var connectionsTotal = 0
    /// Connections being served now.
    var connectionsActive = 0
    /// Prefork only.
    var workers: Workers?
    /// Prefork only: workers replaced, by how the one replaced ended.
    var workerRestarts: WorkerRestarts?

    /// The line a person reads in `systemctl status`.
    var statusLine: String {
        var parts: [String] = []
        if let workers {
            let count = workers.idle + workers.busy + workers.starting
            parts.append("\(count) worker\(count == 1 ? "" : "s") (\(workers.busy) busy)")
        }
        parts.append("\(connectionsActive) live connection\(connectionsActive == 1 ? "" : "s")")
        parts.append("\(connectionsTotal) served")
        return parts.joined(separator: ", ")
    }
}
