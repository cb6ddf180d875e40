import CProcShim

import Glibc

/// The monotonic clock, and the one bounded polling loop the tests wait with.
public enum TestClock {
    /// Monotonic seconds.
    public static func now() -> Double {
        Double(pc_monotonic_ns()) / 1e9
    }

    /// Sleeps `seconds`, resuming after interruptions.
    public static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Checks `condition` every `interval` seconds until it holds or `timeout` seconds
    /// have passed (it is checked once more at the deadline); returns whether it held.
    public static func waitUntil(timeout: Double, interval: Double = 0.02, _ condition: () -> Bool) -> Bool {
        let deadline = now() + timeout
        while true {
            if condition() { return true }
            let left = deadline - now()
            if left <= 0 { return false }
            sleep(min(interval, left))
        }
    }
}
