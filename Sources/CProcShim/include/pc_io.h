#ifndef PC_IO_H
#define PC_IO_H

#include <stddef.h>
#include <poll.h>
#include <sys/types.h>

/// read(2), retried on EINTR. `*out_count` is 0 at end of file.
int pc_read(int fd, void *buffer, size_t capacity, size_t *out_count);

/// Reads until `length` bytes have arrived or end of file. `*out_count` is less than
/// `length` only at end of file.
int pc_read_full(int fd, void *buffer, size_t length, size_t *out_count);

/// write(2) until every byte is written: partial writes are finished and EINTR is
/// retried. EPIPE when the reader has gone (SIGPIPE is not raised on sockets).
int pc_write_all(int fd, const void *buffer, size_t length);

/// pipe2(2) with O_CLOEXEC: `fds[0]` is the read end, `fds[1]` the write end.
int pc_pipe(int fds[2]);

/// close(2). EINTR is not retried: on Linux the descriptor is closed anyway.
int pc_close(int fd);

/// poll(2) for one descriptor. `events` are POLLIN/POLLOUT bits; `*out_revents` is 0 on
/// timeout. EINTR is retried with the time that is left.
int pc_poll_one(int fd, short events, int timeout_ms, short *out_revents);

/// poll(2) for several descriptors: `fds` as struct pollfd (entries with a negative fd are
/// skipped). `*out_ready` is the number of entries with events, 0 on timeout. EINTR is
/// retried with the time that is left.
int pc_poll(struct pollfd *fds, int count, int timeout_ms, int *out_ready);

/// The number of open descriptors of process `pid` (the entries of /proc/PID/fd).
int pc_count_open_fds(pid_t pid, int *out_count);

/// A monotonic clock reading in nanoseconds (CLOCK_MONOTONIC).
long long pc_monotonic_ns(void);

#endif
