#define _GNU_SOURCE
#include "pc_worker.h"
#include "pc_pidfd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t pc_worker_stop_flag = 0;

static void pc_worker_stop_handler(int sig) {
    (void)sig;
    pc_worker_stop_flag = 1;
}

int pc_worker_catch_stop(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pc_worker_stop_handler;
    action.sa_flags = 0; /* no SA_RESTART: a blocked accept must return EINTR */
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, NULL) < 0) return errno;
    return 0;
}

bool pc_worker_stop_requested(void) {
    return pc_worker_stop_flag != 0;
}

int pc_worker_die_with_parent(int sig, pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) return errno;
    /* The parent may have ended between the fork and the prctl: no signal then. */
    if (getppid() != parent) return ESRCH;
    return 0;
}

int pc_listener_stop_accepting(int listen_fd) {
    if (shutdown(listen_fd, SHUT_RDWR) < 0) return errno;
    return 0;
}

/* Reads up to capacity-1 bytes of a small /proc file into `buffer`, NUL-terminated. */
static int pc_read_proc_file(const char *path, char *buffer, size_t capacity) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t total = 0;
    while (total + 1 < capacity) {
        ssize_t n = read(fd, buffer + total, capacity - 1 - total);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int rc = errno;
            close(fd);
            return rc;
        }
        if (n == 0) break;
        total += (size_t)n;
    }
    close(fd);
    buffer[total] = '\0';
    return 0;
}

/* The CPU time of `pid` in clock ticks (utime + stime, and with `reaped_children` the
   times of the children it has reaped, cutime + cstime), from /proc/PID/stat. */
static int pc_process_cpu_ticks(pid_t pid, bool reaped_children, unsigned long long *out_ticks) {
    char path[64];
    char text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int rc = pc_read_proc_file(path, text, sizeof text);
    if (rc != 0) return rc;
    /* The command name, in parentheses, may hold spaces: fields count from the last ')'.
       After it: state (3), then fields 4..13, then utime, stime, cutime, cstime (14-17). */
    char *at = strrchr(text, ')');
    if (at == NULL) return EIO;
    unsigned long long utime = 0, stime = 0;
    long long cutime = 0, cstime = 0;
    if (sscanf(at + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
               &utime, &stime, &cutime, &cstime) != 4) return EIO;
    *out_ticks = utime + stime + (reaped_children ? (unsigned long long)(cutime + cstime) : 0);
    return 0;
}

/* The read and write system calls of `pid` (syscr + syscw, /proc/PID/io: those of the
   children it has reaped included). */
static int pc_process_io_calls(pid_t pid, unsigned long long *out_calls) {
    char path[64];
    char text[1024];
    snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
    int rc = pc_read_proc_file(path, text, sizeof text);
    if (rc != 0) return rc;
    unsigned long long reads = 0, writes = 0;
    char *line = strstr(text, "syscr:");
    if (line != NULL) reads = strtoull(line + 6, NULL, 10);
    line = strstr(text, "syscw:");
    if (line != NULL) writes = strtoull(line + 6, NULL, 10);
    *out_calls = reads + writes;
    return 0;
}

/* The pids of the live children of `pid` (/proc/PID/task/PID/children), at most
   `capacity`; returns how many. */
static int pc_child_pids(pid_t pid, pid_t *out, int capacity) {
    char path[96];
    char text[4096];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    if (pc_read_proc_file(path, text, sizeof text) != 0) return 0;
    int count = 0;
    char *at = text;
    while (count < capacity) {
        char *end = NULL;
        long value = strtol(at, &end, 10);
        if (end == at) break;
        out[count++] = (pid_t)value;
        at = end;
    }
    return count;
}

int pc_process_activity(pid_t pid, uint64_t *out_cpu_ns, uint64_t *out_io_calls) {
    unsigned long long ticks = 0, calls = 0;
    int rc = pc_process_cpu_ticks(pid, true, &ticks);
    if (rc == 0) rc = pc_process_io_calls(pid, &calls);
    if (rc != 0) return rc;
    /* A program the worker runs for its connection works on the worker's behalf. One
       that has just ended may be missed for one look, before its parent reaps it. */
    pid_t children[64];
    int count = pc_child_pids(pid, children, 64);
    for (int i = 0; i < count; i++) {
        unsigned long long child_ticks = 0, child_calls = 0;
        if (pc_process_cpu_ticks(children[i], false, &child_ticks) == 0) ticks += child_ticks;
        if (pc_process_io_calls(children[i], &child_calls) == 0) calls += child_calls;
    }
    long ticks_per_second = sysconf(_SC_CLK_TCK);
    if (ticks_per_second <= 0) ticks_per_second = 100;
    *out_cpu_ns = ticks * (1000000000ULL / (unsigned long long)ticks_per_second);
    *out_io_calls = calls;
    return 0;
}

int pc_worker_lead_group(pid_t pid) {
    if (setpgid(pid, pid) < 0) return errno;
    return 0;
}

int pc_kill_worker_group(pid_t pid, int pidfd) {
    if (pid <= 0) return EINVAL;
    int group_rc = kill(-pid, SIGKILL) < 0 ? errno : 0;
    int child_rc = pc_signal_child(pid, pidfd, SIGKILL);
    /* ESRCH from one of the two is fine: a worker that has not formed its group yet, or
       one that has exited and whose group lives on. */
    if (group_rc == 0 || child_rc == 0) return 0;
    return group_rc != ESRCH ? group_rc : child_rc;
}
