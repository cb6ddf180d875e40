/// A load run's connections counted by the second of the run in which each one started:
/// successes, and failures by kind, so that a failure can be placed next to an event (a
/// stop, a kill, a reload) of that second. A connection that fails by timing out is
/// counted at its start, not ten seconds later when its timeout fires.
struct LoadTimeline {
    /// Connections that succeeded, by second.
    private(set) var succeeded: [Int] = []
    /// Connections that failed, by second, then by failure (`ConnectionFailure.index`).
    private var failures: [[Int]] = []

    /// The number of seconds with a count, the last one being the last second in which a
    /// connection started.
    var count: Int { succeeded.count }

    /// Counts one connection that started `offset` nanoseconds after the run started
    /// (a negative offset, from a worker whose clock read came before the parent's, counts
    /// in second 0) and ended with `failure`, or succeeded when it is nil.
    mutating func add(startedAfter offset: Int64, failure: ConnectionFailure?) {
        let second = Int(max(0, offset) / 1_000_000_000)
        while succeeded.count <= second {
            succeeded.append(0)
            failures.append([Int](repeating: 0, count: ConnectionFailure.allCases.count))
        }
        if let failure {
            failures[second][failure.index] += 1
        } else {
            succeeded[second] += 1
        }
    }

    /// Connections that started in `second` and failed with `failure`.
    func count(of failure: ConnectionFailure, in second: Int) -> Int { failures[second][failure.index] }

    /// Connections that started in `second` and failed, whatever the failure.
    func failed(in second: Int) -> Int { failures[second].reduce(0, +) }
}
