/// One thing the server logs, which either format renders (see `ServerLog`): its text
/// line, or a JSON object of its name, level, that line as `message`, and its fields.
///
/// A protocol, not one type, so that the per-connection events (`ConnectionEvent`,
/// `ChildExitEvent`) are rendered straight from their stored values, with no String or
/// array built on the fork-per-connection parent's path.
protocol ServerLogEvent {
    /// The event's name, JSON's `event` (`connection`, `worker_spawned`...).
    var name: StaticString { get }
    var level: ServerLogLevel { get }
    /// Appends the text line (no newline).
    func writeMessage(to line: inout LogLineWriter)
    /// Appends the event's own fields as JSON members (`line.field(...)`).
    func writeFields(to line: inout LogLineWriter)
}
