#ifndef PC_SIGNALS_H
#define PC_SIGNALS_H

#include <stdbool.h>

/*
 * The signal family: dispositions the shim sets, each with a C handler that only records
 * the signal (no Swift code ever runs in a signal handler). pc_fork's children undo them.
 */

/// Ignores SIGPIPE in the calling process, so a write to a peer that has gone away
/// fails with EPIPE instead of killing the process.
int pc_ignore_sigpipe(void);

/// Routes `signals` to a pipe, for a poll loop: a C handler writes each caught signal's
/// number as one byte to the pipe, whose read end (non-blocking, close-on-exec) is
/// returned in `*out_read_fd`. No Swift code ever runs in a signal handler.
/// May be called again to add signals; the same pipe is used. Children of pc_fork do not
/// inherit the pipe: they reset these signals and close it before pc_fork returns there.
int pc_signal_pipe_install(const int *signals, int count, int *out_read_fd);

/// Reads the signal numbers waiting in the signal pipe into `buffer` without blocking.
/// `*out_count` is 0 when none are waiting.
int pc_signal_pipe_drain(unsigned char *buffer, int capacity, int *out_count);

/// Catches `signal` (SIGTERM for a prefork worker) with a handler that only sets the stop
/// flag, installed without SA_RESTART: a system call blocked when it arrives returns
/// EINTR, so a process blocked in pc_accept with PC_ACCEPT_INTERRUPTIBLE wakes up and can
/// leave. Reads and writes elsewhere in the shim retry EINTR, so a busy process finishes
/// what it is doing first.
int pc_stop_signal_catch(int signal);

/// Whether the stop signal has arrived since pc_stop_signal_catch.
bool pc_stop_signal_arrived(void);

#endif
