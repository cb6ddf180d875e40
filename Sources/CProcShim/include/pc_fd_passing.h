#ifndef PC_FD_PASSING_H
#define PC_FD_PASSING_H

#include <stddef.h>

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
