extension LoadRun {
    /// Successful connections per second.
    var connectionsPerSecond: Double { elapsed > 0 ? Double(tally.succeeded) / elapsed : 0 }
    /// Messages of successful connections per second.
    var messagesPerSecond: Double { connectionsPerSecond * Double(plan.messages) }
    /// Megabytes (10^6 bytes) of checked replies per second.
    var megabytesPerSecond: Double { messagesPerSecond * Double(plan.size) / 1e6 }
    /// Connection latencies in milliseconds.
    var latency: SampleSummary? { SampleSummary(tally.latencies.map { Double($0) / 1e6 }) }

    /// The report as one JSON object.
    var json: JSONValue {
        let latency = self.latency
        func ms(_ value: Double?) -> JSONValue { value.map { .double($0, decimals: 3) } ?? .null }
        return .object([
            ("host", .string(plan.address.host ?? "")),
            ("port", .int(plan.address.port ?? 0)),
            ("connections", .int(plan.connections)),
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
        ])
    }

    /// The report as lines of text.
    var table: [String] {
        let latency = self.latency
        func ms(_ value: Double?) -> String { value.map { $0.formatted(decimals: 2) } ?? "-" }
        let kinds = ConnectionFailure.allCases.map { "\($0.label.replacingUnderscores) \(tally.count(of: $0))" }
        let plural = plan.messages == 1 ? "message" : "messages"
        return [
            "load: \(plan.address), \(plan.connections) connections, \(plan.concurrency) at a time, "
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
    fileprivate var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
