#ifndef PC_CLOCK_H
#define PC_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * The clock family: CLOCK_MONOTONIC readings and the deadlines every timed wait of the
 * shim counts down (poll, epoll, pidfd waits, mutexes, conditions).
 */

/// A monotonic clock reading in nanoseconds (CLOCK_MONOTONIC).
long long pc_monotonic_ns(void);

/// The CLOCK_MONOTONIC reading `timeout_ms` milliseconds from now, in nanoseconds; -1
/// (no deadline) for a negative `timeout_ms`.
long long pc_deadline_ns_after_ms(int timeout_ms);

/// The milliseconds left until `deadline_ns` (from pc_deadline_ns_after_ms), rounded up
/// so that a wait never ends before its deadline; 0 once it has passed; -1 (wait for
/// ever) for a deadline of -1. For retrying a wait that EINTR cut short.
int pc_milliseconds_left(long long deadline_ns);

/// The CLOCK_MONOTONIC time `nanoseconds` from now (0 or less: now), as a timespec for
/// the waits of pc_sync.h. Saturates instead of overflowing.
int pc_deadline_after(int64_t nanoseconds, struct timespec *out_deadline);

#endif
