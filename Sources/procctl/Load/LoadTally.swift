/// What the parent has heard from its workers: each connection's latency or failure.
struct LoadTally {
    /// The latency of each connection that succeeded, in nanoseconds.
    private(set) var latencies: [Int64] = []
    /// How many connections failed, by failure.
    private(set) var failures: [ConnectionFailure: Int] = [:]

    /// Connections that succeeded.
    var succeeded: Int { latencies.count }
    /// Connections that failed, whatever the failure.
    var failed: Int { failures.values.reduce(0, +) }
    /// Connections with a result, good or bad.
    var finished: Int { succeeded + failed }

    init(expecting connections: Int) {
        latencies.reserveCapacity(connections)
    }

    /// Adds one worker record (see `ConnectionFailure`); an unknown negative record
    /// counts as `other`.
    mutating func add(record: Int64) {
        if record >= 0 {
            latencies.append(record)
        } else {
            failures[ConnectionFailure(rawValue: -record) ?? .other, default: 0] += 1
        }
    }

    /// The number of connections that failed with `failure`.
    func count(of failure: ConnectionFailure) -> Int { failures[failure] ?? 0 }
}
