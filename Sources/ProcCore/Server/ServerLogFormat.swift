/// How a `Server` writes its log lines on stderr.
public enum ServerLogFormat: String, Sendable, CaseIterable {
    /// One line of text per event, as a person reads it (the default).
    case text
    /// One JSON object per line, for journald, Loki or jq: `time` (RFC 3339, UTC),
    /// `level` (info, warning, error), `event` (its name), `message` (the text line) and
    /// the event's own fields (`pid`, `peer`, `exit_code`, `signal`, counts...).
    case json
}
