/// Prefork workers the master has replaced, by how the one replaced ended
/// (`NAME_worker_restarts_total{reason=...}`). Workers the master stopped itself
/// (the pool shrank, the server drains) are not restarts.
struct WorkerRestarts {
    /// Left on its own with exit code 0 (other than by recycling).
    var exit = 0
    /// Killed by a signal the master did not send, or exited with a code other than 0
    /// (a failed boot included).
    var crash = 0
    /// Left after its share of connections (`maxRequests`).
    var recycled = 0
    /// Killed by the master for making no progress (`workerTimeout`).
    var timeout = 0

    /// Counts one replaced worker that ended with `exitCode` (-N: signal N).
    mutating func count(recycled wasRecycled: Bool, timedOut: Bool, exitCode: Int32) {
        if timedOut { timeout += 1 }
        else if wasRecycled { recycled += 1 }
        else if exitCode != 0 { crash += 1 }
        else { exit += 1 }
    }
}
