/// What a prefork worker does with the shared listener when it stops, as the master sets
/// it in the worker's scoreboard slot before it signals the worker.
///
/// Draining the listener (`PreforkWorker`) takes every connection already queued on it
/// and serves it before the listener is shut down, so that a stop resets no queued
/// connection: when the server drains, and when the master has died (an orphaned
/// worker must not leave a listener that queues connections nobody will accept). A
/// reload or a smaller pool leaves the queue to the other workers; after a binary
/// upgrade the listener is the new master's, and no old worker may touch it.
enum ListenerDuty: UInt32 {
    /// Told to stop by the master: leave (the pool shrinks, a reload). Orphaned: drain.
    case drainWhenOrphaned = 0
    /// The server drains: stopped for any reason, drain first.
    case drain = 1
    /// A binary upgrade's new master serves from the listener too: leave it alone.
    case shared = 2

    /// Whether a worker told to stop drains the listener first; `orphaned`: its master has died.
    func drains(orphaned: Bool) -> Bool {
        switch self {
        case .drainWhenOrphaned: orphaned
        case .drain: true
        case .shared: false
        }
    }
}
