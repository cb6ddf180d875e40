extension LoadRun {
    /// The timeline's members of the JSON report: the wall-clock time of second 0, and one
    /// object per second with its successes and failures by kind.
    var timelineJSON: [(String, JSONValue)] {
        let timeline = tally.timeline
        let seconds: [JSONValue] = (0..<timeline.count).map { second in
            .object([
                ("second", .int(second)),
                ("ok", .int(timeline.succeeded[second])),
                ("errors", .int(timeline.failed(in: second))),
                ("errors_by_kind", .object(ConnectionFailure.allCases.map { ($0.label, .int(timeline.count(of: $0, in: second))) })),
            ])
        }
        return [("started_unix_s", .double(startedAtUnixSeconds, decimals: 3)), ("timeline", .array(seconds))]
    }

    /// The timeline as a table of text, one line per second of the run.
    var timelineTable: [String] {
        let timeline = tally.timeline
        let kinds = ConnectionFailure.allCases
        let headings = ["second", "UTC", "ok", "errors"] + kinds.map(\.label.replacingUnderscores)
        let rows: [[String]] = (0..<timeline.count).map { second in
            [String(second), Self.timeOfDay(startedAtUnixSeconds + Double(second)),
             String(timeline.succeeded[second]), String(timeline.failed(in: second))]
                + kinds.map { String(timeline.count(of: $0, in: second)) }
        }
        let widths = headings.indices.map { column in
            ([headings] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let cell = cells[column]
                return cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        return ["timeline: connections by the second in which they started"] + ([headings] + rows).map(line)
    }

    /// `HH:MM:SS` in UTC for a time in seconds since 1970.
    private static func timeOfDay(_ unixSeconds: Double) -> String {
        let secondOfDay = Int(unixSeconds.rounded(.down)) % 86_400
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(twoDigits(secondOfDay / 3600)):\(twoDigits(secondOfDay / 60 % 60)):\(twoDigits(secondOfDay % 60))"
    }
}

extension String {
    /// The string without the spaces that end it, so that a padded last column leaves none.
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
