import ProcCore

/// How one connection of a load run failed. A worker sends each connection's result to
/// the parent as a 64-bit integer (see `LoadRecord`): its latency in nanoseconds when it
/// succeeded, or minus the failure's raw value.
enum ConnectionFailure: Int64, CaseIterable {
    /// Nothing listened: the connect was refused.
    case refused = 1
    /// The peer reset the connection (ECONNRESET, EPIPE).
    case reset
    /// A connect, read or write took longer than the socket timeout.
    case timedOut
    /// A reply came back whole but was not the upper-cased message.
    case wrongReply
    /// The peer closed the connection before the whole reply arrived.
    case closedEarly
    /// Any other system error (no ephemeral port left, too many open files...).
    case other

    /// The failure's name in reports and JSON keys.
    var label: String {
        switch self {
        case .refused: "refused"
        case .reset: "reset"
        case .timedOut: "timed_out"
        case .wrongReply: "wrong_reply"
        case .closedEarly: "closed_early"
        case .other: "other"
        }
    }

    /// The failure that a failed connect, read or write means for a client connection.
    init(_ error: ProcessError) {
        switch error.errno {
        case .connectionRefused?: self = .refused
        case .connectionReset?, .brokenPipe?, .connectionAbort?: self = .reset
        case .timedOut?, .resourceTemporarilyUnavailable?, .nowInProgress?: self = .timedOut
        default: self = .other
        }
    }

    /// The result a worker sends for this failure.
    var record: Int64 { -rawValue }

    /// The failure's place in `allCases`, for counts kept in arrays.
    var index: Int { Int(rawValue) - 1 }
}
