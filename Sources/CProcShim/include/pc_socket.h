#ifndef PC_SOCKET_H
#define PC_SOCKET_H

#include <stdbool.h>
#include <stddef.h>

/// The longest text of an address with its port, "[v6 address]:port" included.
#define PC_ADDRESS_TEXT_MAX 64

/// socket(2), bind(2) and listen(2) for TCP on a numeric IPv4 or IPv6 `host`.
///
/// SO_REUSEADDR is set; the socket is close-on-exec. `port` 0 asks the kernel for an
/// ephemeral port; `*out_port` is the port really bound. A host that is not a numeric
/// address gives EINVAL; a port in use, EADDRINUSE.
int pc_tcp_listen(const char *host, int port, int backlog, int *out_fd, int *out_port);

/// For pc_tcp_listen_with_options: set SO_REUSEPORT, so that several processes (each
/// setting it, under one user) listen on the same address and the kernel spreads the
/// connections among them.
#define PC_LISTEN_REUSE_PORT 1

/// pc_tcp_listen with `options` (PC_LISTEN_REUSE_PORT or 0) set before the bind.
int pc_tcp_listen_with_options(const char *host, int port, int backlog, int options, int *out_fd, int *out_port);

/// TCP_INFO on a listening socket: the connections waiting in its accept queue and the
/// queue's limit (the backlog the kernel applies). EINVAL for a socket that does not listen.
int pc_listener_queue_length(int fd, unsigned *out_queued, unsigned *out_limit);

/// One send(2) on a socket (MSG_NOSIGNAL), retried on EINTR: `*out_written` may be less
/// than `length`; EAGAIN when a non-blocking socket's buffer is full.
int pc_write_some(int fd, const void *buffer, size_t length, size_t *out_written);

/// accept4(2) with SOCK_CLOEXEC. `peer` (at least PC_ADDRESS_TEXT_MAX bytes, or NULL)
/// receives the peer's "address:port". On a non-blocking listener EAGAIN means no
/// connection is waiting.
int pc_accept(int listen_fd, int *out_fd, char *peer, size_t peer_capacity);

/// The longest numeric host without its port (an IPv6 address), with its NUL.
#define PC_HOST_TEXT_MAX 46

/// accept4(2) with SOCK_CLOEXEC, giving the peer's numeric host (`host`: at least
/// PC_HOST_TEXT_MAX bytes) and port apart. EAGAIN on a non-blocking listener: none waiting.
int pc_accept_peer(int listen_fd, int *out_fd, char *host, size_t host_capacity, int *out_port);

/// getsockname(2): the numeric host (at least PC_HOST_TEXT_MAX bytes) and port that
/// socket `fd` is bound to, as tcpserver's TCPLOCALIP and TCPLOCALPORT give them.
int pc_socket_local_address(int fd, char *host, size_t host_capacity, int *out_port);

/// Connects a close-on-exec TCP socket to `host`:`port`; `timeout_ms` bounds the
/// connect (-1: the kernel's own limit). ETIMEDOUT when it runs out.
int pc_tcp_connect(const char *host, int port, int timeout_ms, int *out_fd);

/// Sets SO_RCVTIMEO and SO_SNDTIMEO on `fd`: a read or write blocked for longer fails
/// with EAGAIN. 0 clears the timeouts.
int pc_socket_set_timeout(int fd, int timeout_ms);

/// Sets or clears O_NONBLOCK on `fd`.
int pc_set_nonblocking(int fd, bool nonblocking);

/// shutdown(2) with SHUT_WR: tells the peer no more bytes will come.
int pc_shutdown_write(int fd);

/// Sets SO_LINGER to 0, so that close(2) resets the connection instead of closing it.
int pc_socket_set_reset_on_close(int fd);

#endif
