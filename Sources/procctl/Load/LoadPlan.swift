import ProcCore

/// What a load run does: the server to load, and how many connections, messages and bytes.
struct LoadPlan: Sendable {
    /// The server's numeric address and port.
    var address: SocketAddress
    /// Connections in total, shared among the workers.
    var connections: Int
    /// Worker processes, each running connections one after another.
    var concurrency: Int
    /// Messages sent on each connection, each waiting for its reply.
    var messages: Int
    /// Bytes in each message.
    var size: Int
    /// The limit on each connect, read and write, in milliseconds.
    var socketTimeoutMilliseconds: Int32
    /// How long the whole run may take, in seconds; no connection starts after it.
    var deadlineSeconds: Double
}
