import Foundation
import ProcTestSupport

/// One line of `procctl serve --log-format json`'s stderr, parsed by Foundation (which
/// procctl does not link), with the members every line must have checked.
struct JSONLogLine {
    let object: [String: Any]
    let event: String
    let level: String
    let time: Date

    /// Parses `line`; throws unless it is one JSON object with an RFC 3339 UTC `time`
    /// (fractional seconds, `Z`), a `level` of info, warning or error, an `event` and a
    /// `message`.
    init(_ line: Substring) throws {
        object = try JSONReport.object(String(line))
        guard let event = object["event"] as? String, !event.isEmpty else { throw HarnessError("no event: \(line)") }
        guard let level = object["level"] as? String, ["info", "warning", "error"].contains(level) else { throw HarnessError("bad level: \(line)") }
        guard object["message"] is String else { throw HarnessError("no message: \(line)") }
        guard let text = object["time"] as? String, text.hasSuffix("Z"), let time = Self.rfc3339.date(from: text) else {
            throw HarnessError("time is not RFC 3339 UTC: \(line)")
        }
        self.event = event
        self.level = level
        self.time = time
    }

    /// Every line of `log`, parsed; throws at the first that is not a valid log line.
    static func all(_ log: String) throws -> [JSONLogLine] {
        try log.split(separator: "\n").map { try JSONLogLine($0) }
    }

    subscript(key: String) -> Any? { object[key] }

    /// An integer member.
    func int(_ key: String) -> Int? { JSONReport.number(object[key]).map { Int($0) } }

    nonisolated(unsafe) private static let rfc3339: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
