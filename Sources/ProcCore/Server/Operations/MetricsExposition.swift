/// Prometheus' text exposition format (version 0.0.4) for a server's metrics.
///
/// Written by hand rather than with swift-prometheus: its registry keeps counters that
/// the code updates (atomics, a lock per family), while every figure here is read at
/// scrape time from the master's state and the scoreboard, so the library would only
/// format half a dozen lines; and it links swift-metrics and swift-atomics into a binary
/// whose every page touched before a fork makes the fork dearer (docs/production.md).
enum MetricsExposition {
    /// The Content-Type of the text format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition of `metrics`, with the accept queue when it could be read, and the
    /// PROXY header failures with the PROXY protocol on.
    static func text(
        of metrics: ServerMetrics, state: ServerState, identity: ServerIdentity, acceptQueue: (queued: UInt32, limit: UInt32)?,
        proxyHeaderFailures: [(failure: ProxyHeaderFailure, count: UInt64)]? = nil
    ) -> String {
        var out = ""
        func family(_ suffix: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            let name = identity.name + "_" + suffix
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        family("build_info", "gauge", "The running \(identity.name): its version and process model (always 1).",
               [("{version=\"\(escape(identity.version))\",model=\"\(metrics.model)\"}", "1")])
        // One sample per state, the current one 1 (a state set): `NAME_state{state="draining"} == 1`
        // selects the draining instances, and a sum over instances counts them per state.
        family("state", "gauge", "Where the server is: starting, serving, reloading or draining (1 for the current state).",
               ServerState.allCases.map { ("{state=\"\($0.rawValue)\"}", $0 == state ? "1" : "0") })
        family("connections_total", "counter", "Connections accepted since the server started.",
               [("", String(metrics.connectionsTotal))])
        family("connections_active", "gauge", "Connections being served now.",
               [("", String(metrics.connectionsActive))])
        if let workers = metrics.workers {
            family("workers", "gauge", "Prefork workers, by state.", [
                ("{state=\"idle\"}", String(workers.idle)), ("{state=\"busy\"}", String(workers.busy)),
                ("{state=\"starting\"}", String(workers.starting)),
            ])
        }
        if let restarts = metrics.workerRestarts {
            family("worker_restarts_total", "counter", "Prefork workers replaced, by how the replaced one ended.", [
                ("{reason=\"exit\"}", String(restarts.exit)), ("{reason=\"crash\"}", String(restarts.crash)),
                ("{reason=\"recycled\"}", String(restarts.recycled)), ("{reason=\"timeout\"}", String(restarts.timeout)),
            ])
        }
        if let acceptQueue {
            family("accept_queue_length", "gauge", "Connections waiting in the listener's accept queue (TCP_INFO).",
                   [("", String(acceptQueue.queued))])
            family("accept_queue_limit", "gauge", "The most connections the accept queue holds (the backlog).",
                   [("", String(acceptQueue.limit))])
        }
        if let proxyHeaderFailures {
            family("proxy_header_failures_total", "counter", "Connections closed for a missing, malformed or slow PROXY protocol header, by reason.",
                   proxyHeaderFailures.map { ("{reason=\"\($0.failure.reason)\"}", String($0.count)) })
        }
        return out
    }

    /// A label value with backslash, double quote and newline escaped, as the format wants.
    private static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
