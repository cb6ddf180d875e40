import CProcShim

import Glibc

/// The monotonic clock (CLOCK_MONOTONIC): deadlines and timings that changes of the wall
/// clock do not move.
package enum MonotonicClock {
    /// Nanoseconds since an arbitrary point (the same in every process of the machine).
    @inline(__always)
    package static func nanoseconds() -> Int64 {
        Int64(pc_monotonic_ns())
    }

    /// Seconds since the same point as `nanoseconds()`.
    package static func seconds() -> Double {
        Double(pc_monotonic_ns()) / 1e9
    }

    /// Sleeps for `duration` (nanosleep), resuming after interruptions; nothing for a
    /// duration of zero or less.
    package static func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
