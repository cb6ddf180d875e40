/// What a prefork worker is doing, as its scoreboard slot says.
enum WorkerState: UInt32 {
    /// No worker holds the slot.
    case free = 0
    /// Forked, not yet ready to accept (a worker that ends in this state failed to boot).
    case starting = 1
    /// Waiting in accept for a connection.
    case idle = 2
    /// Serving a connection.
    case busy = 3
    /// Leaving after its share of connections (`PreforkOptions.maxRequests`).
    case recycling = 4
    /// Leaving because it was told to (SIGTERM: the pool shrinks, or the server drains).
    case stopping = 5
}
