#include "pc_clock.h"

#include <errno.h>

long long pc_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long pc_deadline_ns_after_ms(int timeout_ms) {
    return timeout_ms < 0 ? -1 : pc_monotonic_ns() + (long long)timeout_ms * 1000000LL;
}

int pc_milliseconds_left(long long deadline_ns) {
    if (deadline_ns < 0) return -1;
    long long left = deadline_ns - pc_monotonic_ns();
    if (left <= 0) return 0;
    long long milliseconds = (left + 999999) / 1000000;
    return milliseconds > INT32_MAX ? INT32_MAX : (int)milliseconds;
}

int pc_deadline_after(int64_t nanoseconds, struct timespec *out_deadline) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return errno;
    if (nanoseconds < 0) nanoseconds = 0;
    int64_t seconds = nanoseconds / 1000000000;
    long fraction = now.tv_nsec + (long)(nanoseconds % 1000000000);
    if (fraction >= 1000000000) {
        fraction -= 1000000000;
        seconds += 1;
    }
    if (seconds > INT64_MAX - now.tv_sec) {
        out_deadline->tv_sec = INT64_MAX;
        out_deadline->tv_nsec = 999999999;
        return 0;
    }
    out_deadline->tv_sec = now.tv_sec + seconds;
    out_deadline->tv_nsec = fraction;
    return 0;
}
