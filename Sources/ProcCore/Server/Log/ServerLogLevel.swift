/// How much an event of the server's log matters (JSON's `level`).
enum ServerLogLevel {
    /// Routine: connections, children, workers coming and going.
    case info
    /// Something to look at that the server has handled (a pause, a backoff, a limit).
    case warning
    /// Something failed: a connection, a worker, an upgrade.
    case error

    var name: StaticString {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }
}
