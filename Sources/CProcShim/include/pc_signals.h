#ifndef PC_SIGNALS_H
#define PC_SIGNALS_H

/// Ignores SIGPIPE in the calling process, so a write to a peer that has gone away
/// fails with EPIPE instead of killing the process.
int pc_ignore_sigpipe(void);

/// Routes `signals` to a pipe, for a poll loop: a C handler writes each caught signal's
/// number as one byte to the pipe, whose read end (non-blocking, close-on-exec) is
/// returned in `*out_read_fd`. No Swift code ever runs in a signal handler.
/// May be called again to add signals; the same pipe is used.
int pc_signal_pipe_install(const int *signals, int count, int *out_read_fd);

/// Reads the signal numbers waiting in the signal pipe into `buffer` without blocking.
/// `*out_count` is 0 when none are waiting.
int pc_signal_pipe_drain(unsigned char *buffer, int capacity, int *out_count);

#endif
