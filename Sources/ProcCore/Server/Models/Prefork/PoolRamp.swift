/// When the adaptive pool forks extra workers and when it lets them go, as Apache's
/// prefork MPM does: while every worker is busy and the pool is below its maximum,
/// 1 worker at the first tick, then 2, then 4 per tick (up to 32), back to 1 once a
/// worker is idle; an extra worker (beyond the minimum) idle for `idleExit` leaves,
/// one per tick.
///
/// Pure: the master calls it once per tick (a second) with what the scoreboard says.
struct PoolRamp {
    /// The largest batch forked in one tick (Apache's MAX_SPAWN_RATE).
    static let maximumRate = 32

    /// How long an extra worker stays idle before it is let go.
    let idleExit: Duration
    /// The batch the next tick forks while every worker stays busy.
    private(set) var rate = 1

    init(idleExit: Duration) {
        self.idleExit = idleExit
    }

    /// How many workers to fork now: `live` workers (not leaving), `idle` of them idle.
    mutating func workersToFork(live: Int, idle: Int, maximum: Int) -> Int {
        guard idle == 0, live < maximum else {
            rate = 1
            return 0
        }
        let count = min(rate, maximum - live)
        rate = min(rate * 2, Self.maximumRate)
        return count
    }

    /// Which worker to let go now, if any: an extra one (`live` above `minimum`), the
    /// one idle the longest, if that is longer than `idleExit`. `idleSince` holds each
    /// idle worker's key and the moment it became idle.
    func workerToRetire<Key>(live: Int, minimum: Int, idleSince: [(key: Key, since: MonotonicInstant)], now: MonotonicInstant) -> Key? {
        guard live > minimum, let longest = idleSince.min(by: { $0.since < $1.since }) else { return nil }
        return now - longest.since >= idleExit ? longest.key : nil
    }
}
