#ifndef PC_DESCRIPTORS_H
#define PC_DESCRIPTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The descriptor family: reading and writing whole buffers, pipes, descriptor flags, and
 * writing to a log output without ever waiting for its reader.
 */

/// read(2), retried on EINTR. `*out_count` is 0 at end of file.
int pc_read(int fd, void *buffer, size_t capacity, size_t *out_count);

/// Reads until `length` bytes have arrived or end of file. `*out_count` is less than
/// `length` only at end of file.
int pc_read_full(int fd, void *buffer, size_t length, size_t *out_count);

/// write(2) until every byte is written: partial writes are finished and EINTR is
/// retried. EPIPE when the reader has gone (SIGPIPE is not raised on sockets).
int pc_write_all(int fd, const void *buffer, size_t length);

/// Writes `header` then `body` as one message: writev(2) (sendmsg with MSG_NOSIGNAL on a
/// socket), finishing partial writes and retrying EINTR. One system call for a message
/// that fits the buffer, and the body is never copied. EPIPE when the reader has gone,
/// without SIGPIPE (MSG_NOSIGNAL on a socket; on a pipe, SIGPIPE blocked around the write).
int pc_write_frame(int fd, const void *header, size_t header_length,
                   const void *body, size_t body_length);

/// pipe2(2) with O_CLOEXEC: `fds[0]` is the read end, `fds[1]` the write end.
int pc_pipe(int fds[2]);

/// close(2). EINTR is not retried: on Linux the descriptor is closed anyway.
int pc_close(int fd);

/// Sets FD_CLOEXEC on `fd`: EBADF when it is not open.
int pc_set_close_on_exec(int fd);

/// Sets or clears O_NONBLOCK on `fd`.
int pc_set_nonblocking(int fd, bool nonblocking);

/// The inode number of the file `fd` refers to (fstat): for a socket, the number in the
/// "socket:[N]" that /proc/PID/fd/M links to.
int pc_descriptor_inode(int fd, uint64_t *out_inode);

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
