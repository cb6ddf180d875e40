/// What the parent has heard from its workers: each connection's latency or failure, and
/// when it started.
struct LoadTally {
    /// The latency of each connection that succeeded, in nanoseconds.
    private(set) var latencies: [Int64] = []
    /// How many connections failed, by failure.
    private(set) var failures: [ConnectionFailure: Int] = [:]
    /// The connections by the second in which they started.
    private(set) var timeline = LoadTimeline()
    /// The monotonic time, in nanoseconds, at which the run started: second 0 of the timeline.
    let origin: Int64

    /// Connections that succeeded.
    var succeeded: Int { latencies.count }
    /// Connections that failed, whatever the failure.
    var failed: Int { failures.values.reduce(0, +) }
    /// Connections with a result, good or bad.
    var finished: Int { succeeded + failed }

    /// An empty tally for a run that started at `origin` (monotonic nanoseconds) and
    /// makes about `connections` connections, when that is known.
    init(origin: Int64, expecting connections: Int?) {
        self.origin = origin
        if let connections { latencies.reserveCapacity(connections) }
    }

    /// Adds one worker record (see `LoadRecord`); an unknown negative result counts as
    /// `other`.
    mutating func add(_ record: LoadRecord) {
        let offset = record.startedAt - origin
        guard record.result < 0 else {
            latencies.append(record.result)
            timeline.add(startedAfter: offset, failure: nil)
            return
        }
        let failure = ConnectionFailure(rawValue: -record.result) ?? .other
        failures[failure, default: 0] += 1
        timeline.add(startedAfter: offset, failure: failure)
    }

    /// The number of connections that failed with `failure`.
    func count(of failure: ConnectionFailure) -> Int { failures[failure] ?? 0 }
}
