#ifndef PC_LOG_OUTPUT_H
#define PC_LOG_OUTPUT_H

#include <stddef.h>

/// How pc_log_output_write writes to a descriptor from pc_log_output_open.
enum {
    /// write(2) on a descriptor that never blocks (O_NONBLOCK of its own, or a regular file).
    PC_LOG_OUTPUT_PLAIN = 0,
    /// send(2) with MSG_DONTWAIT: a socket (the journal's stream, for one).
    PC_LOG_OUTPUT_SOCKET = 1,
    /// poll(2) with no wait, then at most PIPE_BUF bytes: a pipe that could not be opened
    /// again (no /proc). Another writer filling the pipe between the two can still block it.
    PC_LOG_OUTPUT_POLLED = 2,
};

/// A descriptor for writing to what `fd` (stderr) is open on without ever waiting for its
/// reader, and without changing `fd`'s own open file description, which forked children
/// and programs share (O_NONBLOCK there would hand them EAGAIN):
/// - a pipe, FIFO or terminal: a new open file description of the same object, opened
///   through /proc/self/fd with O_NONBLOCK (close-on-exec; the caller closes it), kind
///   PC_LOG_OUTPUT_PLAIN; `fd` itself, kind PC_LOG_OUTPUT_POLLED, when that open fails;
/// - a socket: `fd` itself, kind PC_LOG_OUTPUT_SOCKET;
/// - a regular file or anything else: `fd` itself, kind PC_LOG_OUTPUT_PLAIN.
/// EBADF when `fd` is not open.
int pc_log_output_open(int fd, int *out_fd, int *out_kind);

/// Writes what `fd` (from pc_log_output_open, of `kind`) takes at once, up to `length`
/// bytes: `*out_written` may be less than `length`. EAGAIN when it takes nothing now;
/// another errno value (EPIPE, EBADF...) when it never will.
int pc_log_output_write(int fd, int kind, const void *bytes, size_t length, size_t *out_written);

#endif
