/// How a load run decides that it is over: after a number of connections, or when a
/// time is up.
enum LoadLength: Sendable, Equatable {
    /// This many connections in total, shared among the workers.
    case connections(Int)
    /// Connections are opened, one after another in every worker, until this many
    /// seconds have passed since the workers were let go; those still open then finish.
    case seconds(Double)
}
