#ifndef PC_IPC_H
#define PC_IPC_H

#include <stddef.h>

/// socketpair(2): two connected AF_UNIX stream sockets, close-on-exec, for a duplex
/// Pipe between processes.
int pc_socketpair(int fds[2]);

/// Writes `header` then `body` as one message: writev(2) (sendmsg with MSG_NOSIGNAL on a
/// socket), finishing partial writes and retrying EINTR. One system call for a message
/// that fits the buffer, and the body is never copied. EPIPE when the reader has gone,
/// without SIGPIPE (MSG_NOSIGNAL on a socket; on a pipe, SIGPIPE blocked around the write).
int pc_write_frame(int fd, const void *header, size_t header_length,
                   const void *body, size_t body_length);

#endif
