#define _GNU_SOURCE
#include "pc_pidfd.h"
#include "pc_process.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int pc_pidfd_open(pid_t pid, int *out_pidfd) {
    /* A pidfd is always close-on-exec. */
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) return errno;
    *out_pidfd = (int)fd;
    return 0;
}

int pc_pidfd_send_signal(int pidfd, int signal) {
    if (syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0) < 0) return errno;
    return 0;
}

int pc_signal_child(pid_t pid, int pidfd, int signal) {
    if (pidfd >= 0) return pc_pidfd_send_signal(pidfd, signal);
    if (kill(pid, signal) < 0) return errno;
    return 0;
}

static long long pc_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pc_wait_ended(pid_t pid, int pidfd, int timeout_ms, bool *out_ended) {
    long long deadline = timeout_ms < 0 ? -1 : pc_now_ms() + timeout_ms;
    if (pidfd >= 0) {
        for (;;) {
            int left = -1;
            if (deadline >= 0) {
                long long l = deadline - pc_now_ms();
                left = l < 0 ? 0 : (int)l;
            }
            struct pollfd p = {.fd = pidfd, .events = POLLIN, .revents = 0};
            int r = poll(&p, 1, left);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return errno;
            *out_ended = (r > 0);
            return 0;
        }
    }
    /* No pidfd: check at an interval that grows from 100 us to 10 ms. */
    long interval_us = 100;
    for (;;) {
        bool ended = false;
        int rc = pc_has_ended(pid, &ended);
        if (rc != 0) return rc;
        if (ended || (deadline >= 0 && pc_now_ms() >= deadline)) {
            *out_ended = ended;
            return 0;
        }
        struct timespec pause = {.tv_sec = 0, .tv_nsec = interval_us * 1000};
        nanosleep(&pause, NULL);
        if (interval_us < 10000) interval_us *= 2;
    }
}
