#ifndef PC_UNIX_SOCKET_H
#define PC_UNIX_SOCKET_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/*
 * The AF_UNIX socket family: socket pairs, paths and abstract names, descriptors passed
 * with SCM_RIGHTS, and sd_notify's datagram.
 */

/// socketpair(2): two connected AF_UNIX stream sockets, close-on-exec, for a duplex
/// Pipe between processes.
int pc_socketpair(int fds[2]);

/// Fills `*out_address` and `*out_length` for the AF_UNIX socket `path`: a filesystem
/// path, or, when it begins with '@', a Linux abstract name (the bytes after the '@').
/// EINVAL for an empty path, ENAMETOOLONG for one that does not fit sun_path.
int pc_unix_address(const char *path, struct sockaddr_un *out_address, socklen_t *out_length);

/// socket(2), bind(2) and listen(2) for an AF_UNIX stream socket at `path` (see
/// pc_unix_address; close-on-exec). EADDRINUSE when a file is already there: as with
/// Python's Listener, a stale socket file is not removed.
int pc_unix_listen(const char *path, int backlog, int *out_fd);

/// Connects a close-on-exec AF_UNIX stream socket to `path` (see pc_unix_address).
/// ECONNREFUSED or ENOENT when nothing listens there.
int pc_unix_connect(const char *path, int *out_fd);

/// Sends `message` as one datagram to the AF_UNIX socket `socket_path`, as sd_notify(3)
/// does, without libsystemd: a path starting with '@' names the abstract namespace.
/// Never blocks: EAGAIN when the receiver's queue is full (the datagram is not sent).
/// ENAMETOOLONG for a path that does not fit, ECONNREFUSED or ENOENT when nothing listens.
int pc_notify_send(const char *socket_path, const void *message, size_t length);

/// The most descriptors one message carries.
#define PC_FD_PASSING_MAX 8

/// socketpair(2) of AF_UNIX SOCK_SEQPACKET, close-on-exec: two connected ends that keep
/// message boundaries, each message with up to PC_FD_PASSING_MAX descriptors.
int pc_seqpacket_pair(int fds[2]);

/// Sends one message of `length` bytes with `fd_count` descriptors (SCM_RIGHTS) on a
/// SOCK_SEQPACKET or SOCK_STREAM Unix socket: the receiver gets copies, the sender's stay
/// open. MSG_NOSIGNAL: EPIPE, never SIGPIPE, when the peer has gone. EMSGSIZE for a
/// message larger than the socket's buffer; EINVAL for too many descriptors.
int pc_send_with_fds(int socket_fd, const void *bytes, size_t length, const int *fds, int fd_count);

/// Receives one message from a SOCK_SEQPACKET socket: at most `capacity` bytes in
/// `buffer`, the count in `*out_length` (0 at end of stream), and up to `fd_capacity`
/// descriptors in `fds`, the count in `*out_fd_count`, each close-on-exec
/// (MSG_CMSG_CLOEXEC). EMSGSIZE when the message or its descriptors did not fit (the
/// descriptors that came are closed, so none leaks).
int pc_receive_with_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count);

/// One recvmsg(2) of at most `capacity` bytes from a stream socket, as read(2) would give
/// (the count in `*out_length`, 0 at end of stream), keeping the descriptors that came with
/// them (SCM_RIGHTS, close-on-exec) in `fds`, the count in `*out_fd_count`: read(2) would
/// close them. Descriptors beyond `fd_capacity` are closed. EINTR is retried.
int pc_read_keeping_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count);

#endif
