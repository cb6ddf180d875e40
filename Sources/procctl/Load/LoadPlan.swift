import ProcCore

/// What a load run does: the server to load, and how many connections, messages and bytes.
struct LoadPlan: Sendable {
    /// The server's numeric address and port.
    var address: SocketAddress
    /// When the run is over: a number of connections, or a time.
    var length: LoadLength
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

    /// The number of connections a connection-counted run makes; nil for a timed run.
    var connections: Int? {
        if case .connections(let count) = length { count } else { nil }
    }

    /// The length of a timed run in nanoseconds; nil for a connection-counted run.
    var durationNanoseconds: Int64? {
        if case .seconds(let seconds) = length { Int64((seconds * 1e9).rounded()) } else { nil }
    }
}
