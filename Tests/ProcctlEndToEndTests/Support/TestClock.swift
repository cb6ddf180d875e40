import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// The monotonic clock, and the one bounded polling loop the tests wait with.
enum TestClock {
    /// Monotonic seconds.
    static func now() -> Double {
        Double(pc_monotonic_ns()) / 1e9
    }

    /// Sleeps `seconds`, resuming after interruptions.
    static func sleep(_ seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Checks `condition` every `interval` seconds until it holds or `timeout` seconds
    /// have passed (it is checked at least once); returns whether it held.
    static func waitUntil(timeout: Double, interval: Double = 0.02, _ condition: () -> Bool) -> Bool {
        let deadline = now() + timeout
        repeat {
            if condition() { return true }
            sleep(interval)
        } while now() < deadline
        return false
    }
}
