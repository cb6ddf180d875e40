import CProcShim

/// A moment of the monotonic clock (CLOCK_MONOTONIC): the one clock of a server's master,
/// its serving models and their policies. Spans between moments are `Duration`s.
///
/// Not `ContinuousClock.Instant`: on Linux that clock is CLOCK_BOOTTIME, while the
/// scoreboard's stamps, which prefork workers write in shared memory, and systemd's
/// `MONOTONIC_USEC` are CLOCK_MONOTONIC; one type over the clock the C side reads keeps
/// comparisons across processes exact. One Int64 wide: the fork-per-connection master
/// reads it between two forks, where every page written is copied.
struct MonotonicInstant: Comparable, Hashable {
    /// Nanoseconds since the clock's origin (the same in every process of the machine).
    let nanoseconds: Int64

    /// The moment `nanoseconds` after the clock's origin (a scoreboard stamp, say).
    init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Now.
    @inline(__always)
    static var now: MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(pc_monotonic_ns()))
    }

    /// `duration` later (saturating: a huge duration is the distant future).
    static func + (instant: MonotonicInstant, duration: Duration) -> MonotonicInstant {
        let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(duration.nanoseconds)
        return MonotonicInstant(nanoseconds: overflow ? (duration > .zero ? .max : .min) : sum)
    }

    /// The time from `earlier` to `later`.
    static func - (later: MonotonicInstant, earlier: MonotonicInstant) -> Duration {
        .nanoseconds(later.nanoseconds &- earlier.nanoseconds)
    }

    static func < (left: MonotonicInstant, right: MonotonicInstant) -> Bool {
        left.nanoseconds < right.nanoseconds
    }

    /// A poll(2) timeout: whole milliseconds from this moment to `deadline`, rounded up so
    /// that the poll never returns just before it (0 once it has passed), or -1 (for
    /// ever) without one.
    func pollTimeout(until deadline: MonotonicInstant?) -> Int32 {
        guard let deadline else { return -1 }
        return (deadline - self).roundedUpMilliseconds
    }
}
