#define _GNU_SOURCE
#include "pc_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static int pc_signal_pipe_fds[2] = {-1, -1};

/* pc_process.c: children reset these even when they reset changed signals only. */
void pc_fork_note_changed_signal(int sig);

static void pc_signal_pipe_handler(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    /* Non-blocking: when the pipe is full, enough wake-ups are already waiting. */
    (void)!write(pc_signal_pipe_fds[1], &byte, 1);
    errno = saved;
}

int pc_ignore_sigpipe(void) {
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGPIPE, &ignore, NULL) < 0) return errno;
    pc_fork_note_changed_signal(SIGPIPE);
    return 0;
}

int pc_signal_pipe_install(const int *signals, int count, int *out_read_fd) {
    if (pc_signal_pipe_fds[0] < 0) {
        if (pipe2(pc_signal_pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) return errno;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pc_signal_pipe_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (signals[i] == SIGCHLD) action.sa_flags |= SA_NOCLDSTOP;
        pc_fork_note_changed_signal(signals[i]);
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

/* For pc_fork, which blocks signals across the fork while handlers write to the pipe. */
bool pc_signal_pipe_is_open(void) {
    return pc_signal_pipe_fds[1] >= 0;
}

/* Called by pc_fork in the child: its handlers are reset, so the pipe is of no use there. */
void pc_signal_pipe_close_in_child(void) {
    /* Written only when open: every page a child writes is copied, and most children
       come from a process that never installed the pipe. */
    for (int i = 0; i < 2; i++) {
        if (pc_signal_pipe_fds[i] >= 0) {
            close(pc_signal_pipe_fds[i]);
            pc_signal_pipe_fds[i] = -1;
        }
    }
}
