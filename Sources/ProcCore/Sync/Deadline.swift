import CProcShim

import Glibc

/// An absolute CLOCK_MONOTONIC time for the shim's waits, computed once per call so
/// that a wait woken early (and waiting again) does not start its timeout over.
struct Deadline {
    var time: timespec

    /// `timeout` from now; a zero or negative timeout is now (do not wait).
    init(after timeout: Duration) throws(ProcessError) {
        time = timespec()
        try check("clock_gettime", pc_deadline_after(timeout.nanoseconds, &time))
    }
}

/// Calls `body` with a pointer to the deadline's time, or nil (wait for ever) when there is none.
@inline(__always)
func withDeadline<R>(_ deadline: Deadline?, _ body: (UnsafePointer<timespec>?) -> R) -> R {
    guard var deadline else { return body(nil) }
    return withUnsafePointer(to: &deadline.time) { body($0) }
}
