import Glibc

/// A rare event of the server's log (a signal, a worker's spawn, an error...): its name,
/// level, text line and typed fields, built when it happens. The per-connection events
/// have types of their own that build nothing (`ConnectionEvent`, `ChildExitEvent`).
struct ServerEvent: ServerLogEvent {
    /// A field's value, rendered as a JSON number or string.
    enum Value {
        case int(Int)
        case string(String)
        /// A duration, as a number of seconds (`0.5`, `10`).
        case seconds(Duration)

        static func pid(_ pid: pid_t) -> Value { .int(Int(pid)) }
    }

    let name: StaticString
    let level: ServerLogLevel
    /// The text line, as the text format writes it.
    let message: String
    let fields: KeyValuePairs<StaticString, Value>

    init(_ name: StaticString, _ level: ServerLogLevel = .info, _ message: String, _ fields: KeyValuePairs<StaticString, Value> = [:]) {
        self.name = name
        self.level = level
        self.message = message
        self.fields = fields
    }

    func writeMessage(to line: inout LogLineWriter) {
        line.append(message)
    }

    func writeFields(to line: inout LogLineWriter) {
        for (key, value) in fields {
            switch value {
            case .int(let number): line.field(key, number)
            case .string(let text): line.field(key, text)
            case .seconds(let duration): line.field(key, seconds: duration)
            }
        }
    }
}
