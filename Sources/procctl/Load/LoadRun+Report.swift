extension LoadRun {
    /// Successful connections per second.
    var connectionsPerSecond: Double { elapsed > 0 ? Double(tally.succeeded) / elapsed : 0 }
    /// Messages of successful connections per second.
    var messagesPerSecond: Double { connectionsPerSecond * Double(plan.messages) }
    /// Megabytes (10^6 bytes) of checked replies per second.
    var megabytesPerSecond: Double { messagesPerSecond * Double(plan.size) / 1e6 }
    /// Connection latencies in milliseconds.
    var latency: SampleSummary? { SampleSummary(tally.latencies.map { Double($0) / 1e6 }) }

    /// The report as one JSON object; with `timeline`, with the connections by second
    /// (see `timelineJSON`).
    func json(timeline: Bool) -> JSONValue {
        let latency = self.latency
        func ms(_ value: Double?) -> JSONValue { value.map { .double($0, decimals: 3) } ?? .null }
        var length: [(String, JSONValue)] = [("connections", .int(plan.connections ?? tally.finished))]
        if case .seconds(let seconds) = plan.length { length.append(("duration_s", .double(seconds, decimals: 3))) }
        var members: [(String, JSONValue)] = [
            ("host", .string(plan.address.host ?? "")),
            ("port", .int(plan.address.port ?? 0)),
        ] + length + [
            ("concurrency", .int(plan.concurrency)),
            ("messages", .int(plan.messages)),
            ("size", .int(plan.size)),
            ("ok", .int(tally.succeeded)),
            ("errors", .int(tally.failed)),
            ("errors_by_kind", .object(ConnectionFailure.allCases.map { ($0.label, .int(tally.count(of: $0))) })),
            ("unfinished", .int(unfinished)),
            ("elapsed_s", .double(elapsed, decimals: 3)),
            ("connections_per_s", .double(connectionsPerSecond, decimals: 1)),
            ("messages_per_s", .double(messagesPerSecond, decimals: 1)),
            ("mb_per_s", .double(megabytesPerSecond, decimals: 3)),
            ("latency_ms", .object([("p50", ms(latency?.median)), ("p99", ms(latency?.p99)), ("max", ms(latency?.maximum))])),
        ]
        if timeline { members += timelineJSON }
        return .object(members)
    }

    /// The report as lines of text.
    var table: [String] {
        let latency = self.latency
        func ms(_ value: Double?) -> String { value.map { $0.formatted(decimals: 2) } ?? "-" }
        let kinds = ConnectionFailure.allCases.map { "\($0.label.replacingUnderscores) \(tally.count(of: $0))" }
        let plural = plan.messages == 1 ? "message" : "messages"
        let length = switch plan.length {
        case .connections(let count): "\(count) connections"
        case .seconds(let seconds): "for \(seconds.asTyped) s"
        }
        return [
            "load: \(plan.address), \(length), \(plan.concurrency) at a time, "
                + "\(plan.messages) \(plural) of \(plan.size) B each",
            "connections/s  \(connectionsPerSecond.formatted(decimals: 0))",
            "messages/s     \(messagesPerSecond.formatted(decimals: 0))",
            "MB/s           \(megabytesPerSecond.formatted(decimals: 2))",
            "latency ms     p50 \(ms(latency?.median))  p99 \(ms(latency?.p99))  max \(ms(latency?.maximum))",
            "ok             \(tally.succeeded)",
            "errors         \(tally.failed) (" + kinds.joined(separator: ", ") + ")",
            "unfinished     \(unfinished)",
            "elapsed        \(elapsed.formatted(decimals: 2)) s",
        ]
    }
}

extension String {
    /// `timed_out` as `timed out`, for text reports.
    var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
