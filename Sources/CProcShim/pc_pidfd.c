#define _GNU_SOURCE
#include "pc_pidfd.h"
#include "pc_clock.h"
#include "pc_poll.h"
#include "pc_process.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
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

int pc_pidfd_open_child(pid_t pid, int *out_pidfd) {
    int pidfd = -1;
    int rc = pc_pidfd_open(pid, &pidfd);
    if (rc != 0) return rc;
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int r;
    do {
        r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG | WNOWAIT);
    } while (r < 0 && errno == EINTR);
    /* EINVAL: a kernel with pidfd_open but not yet waitid(P_PIDFD) (5.3): the pid is
       still the caller's unreaped child, as the caller's state says. */
    if (r < 0 && errno != EINVAL) {
        rc = errno;
        close(pidfd);
        /* ECHILD: the process is not (or no longer) the caller's child. */
        return rc == ECHILD ? ESRCH : rc;
    }
    *out_pidfd = pidfd;
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

int pc_wait_ended(pid_t pid, int pidfd, int timeout_ms, bool *out_ended) {
    if (pidfd >= 0) {
        /* A pidfd becomes readable when its process ends. */
        short revents = 0;
        int rc = pc_poll_one(pidfd, POLLIN, timeout_ms, &revents);
        if (rc != 0) return rc;
        *out_ended = revents != 0;
        return 0;
    }
    /* No pidfd: check at an interval that grows from 100 us to 10 ms. */
    long long deadline = pc_deadline_ns_after_ms(timeout_ms);
    long interval_us = 100;
    for (;;) {
        bool ended = false;
        int rc = pc_has_ended(pid, &ended);
        if (rc != 0) return rc;
        if (ended || pc_milliseconds_left(deadline) == 0) {
            *out_ended = ended;
            return 0;
        }
        struct timespec pause = {.tv_sec = 0, .tv_nsec = interval_us * 1000};
        nanosleep(&pause, NULL);
        if (interval_us < 10000) interval_us *= 2;
    }
}

int pc_kill_process_group(pid_t pid, int pidfd) {
    if (pid <= 0) return EINVAL;
    int group_rc = kill(-pid, SIGKILL) < 0 ? errno : 0;
    int child_rc = pc_signal_child(pid, pidfd, SIGKILL);
    /* ESRCH from one of the two is fine: a child that has not formed its group yet, or
       one that has exited and whose group lives on. */
    if (group_rc == 0 || child_rc == 0) return 0;
    return group_rc != ESRCH ? group_rc : child_rc;
}
