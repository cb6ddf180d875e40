/// How a `Server` writes its log lines on stderr.
public enum ServerLogFormat: String, Sendable, CaseIterable {
    /// One line of text per event, as a person reads it (the default).
    case text
    /// One JSON object per line, for journald, Loki or jq: `time` (RFC 3339, UTC),
    /// `level` (info, warning, error), `event` (its name), `message` (the text line) and
    /// the event's own fields (`pid`, `peer`, `exit_code`, `signal`, counts...).
    case json

    /// Writes `message` to stderr as an error line in this format, as a server's own
    /// lines are: a JSON object of level `error` and event `event`, or the text line.
    /// For a command that says, in its server's format, why the server did not start
    /// (the package's own commands only: a library user's program writes its own).
    package func writeError(_ message: String, event: StaticString) {
        ServerLog.write(ServerEvent(event, .error, message), as: self)
    }
}
