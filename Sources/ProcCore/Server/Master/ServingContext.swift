/// What every serving model works with, gathered once by `Server.init`: the listener it
/// serves, what serves each connection, the log, the operations (whose sockets a child
/// closes) and the lifecycle (which a reload speaks to).
struct ServingContext {
    /// The listener the model serves connections from.
    let listener: SocketListener
    /// Whether a service manager passed the listener (socket activation) and keeps its own
    /// copy: the drain then leaves the socket as it is (no filter, no shutdown), and what
    /// is queued on it waits for the next activation.
    let listenerKeptByServiceManager: Bool
    /// What serves one connection, in the process that holds it.
    let service: ConnectionService
    /// The server's log.
    let log: ServerLog
    /// Metrics and notifications: a forked child closes their sockets.
    let operations: ServerOperations
    /// Ready, reloads and the drain, as told to the world outside.
    let lifecycle: ServerLifecycle
}
