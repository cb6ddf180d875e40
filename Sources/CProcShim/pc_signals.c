#define _GNU_SOURCE
#include "pc_signals.h"
#include "pc_fork_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int pc_signal_pipe_fds[2] = {-1, -1};

static void pc_signal_pipe_handler(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    /* Non-blocking: when the pipe is full, enough wake-ups are already waiting. */
    (void)!write(pc_signal_pipe_fds[1], &byte, 1);
    errno = saved;
}

/* A pc_fork hook: the child's handlers are reset, so the pipe is of no use there, and a
   child must not hold the parent's wake-up pipe. Registered once the pipe is open, and
   it writes only while the pipe is open (a child's own children find it closed): every
   page a child writes is copied. */
static void pc_signal_pipe_close_in_child(void) {
    for (int i = 0; i < 2; i++) {
        if (pc_signal_pipe_fds[i] >= 0) {
            close(pc_signal_pipe_fds[i]);
            pc_signal_pipe_fds[i] = -1;
        }
    }
}

int pc_ignore_sigpipe(void) {
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGPIPE, &ignore, NULL) < 0) return errno;
    pc_fork_reset_in_children(SIGPIPE);
    return 0;
}

int pc_signal_pipe_install(const int *signals, int count, int *out_read_fd) {
    if (pc_signal_pipe_fds[0] < 0) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return errno;
        int rc = pc_fork_run_in_children(pc_signal_pipe_close_in_child);
        if (rc != 0) {
            close(fds[0]);
            close(fds[1]);
            return rc;
        }
        pc_signal_pipe_fds[0] = fds[0];
        pc_signal_pipe_fds[1] = fds[1];
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pc_signal_pipe_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (signals[i] == SIGCHLD) action.sa_flags |= SA_NOCLDSTOP;
        pc_fork_reset_in_children(signals[i]);
        if (sigaction(signals[i], &action, NULL) < 0) return errno;
        action.sa_flags = SA_RESTART;
    }
    *out_read_fd = pc_signal_pipe_fds[0];
    return 0;
}

int pc_signal_pipe_drain(unsigned char *buffer, int capacity, int *out_count) {
    if (pc_signal_pipe_fds[0] < 0) return EBADF;
    for (;;) {
        ssize_t n = read(pc_signal_pipe_fds[0], buffer, (size_t)capacity);
        if (n >= 0) {
            *out_count = (int)n;
            return 0;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
            *out_count = 0;
            return 0;
        }
        return errno;
    }
}

static volatile sig_atomic_t pc_stop_flag = 0;

static void pc_stop_handler(int sig) {
    (void)sig;
    pc_stop_flag = 1;
}

int pc_stop_signal_catch(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pc_stop_handler;
    action.sa_flags = 0; /* no SA_RESTART: a blocked accept must return EINTR */
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, NULL) < 0) return errno;
    return 0;
}

bool pc_stop_signal_arrived(void) {
    return pc_stop_flag != 0;
}
