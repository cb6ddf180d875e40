#ifndef PC_SOCKET_H
#define PC_SOCKET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The TCP socket family: listening, accepting, connecting, addresses and socket options,
 * for numeric IPv4 and IPv6 addresses. AF_UNIX sockets are pc_unix_socket.h.
 */

/// The longest numeric host without its port (an IPv6 address), with its NUL.
#define PC_HOST_TEXT_MAX 46

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

/// 0 when `fd` is a stream socket that listens (SOCK_STREAM, SO_ACCEPTCONN), of any
/// family: what both adopt calls check first. ENOTSOCK for a descriptor that is not a
/// socket, EINVAL for a socket of another type or one that does not listen, EBADF.
int pc_check_listening_stream(int fd);

/// Checks that `fd` is a listening TCP socket (SOCK_STREAM, AF_INET or AF_INET6,
/// SO_ACCEPTCONN), makes it close-on-exec, and gives the address it is bound to: the
/// numeric host in `host` (at least PC_HOST_TEXT_MAX bytes) and the port: a listener
/// inherited from systemd or from the master of a binary upgrade.
/// EBADF for a closed descriptor, ENOTSOCK for something else, EINVAL for a socket of
/// another kind or one that does not listen.
int pc_adopt_listener(int fd, char *host, size_t host_capacity, int *out_port);

/// TCP_INFO on a listening socket: the connections waiting in its accept queue and the
/// queue's limit (the backlog the kernel applies). EINVAL for a socket that does not listen.
int pc_listener_queue_length(int fd, unsigned *out_queued, unsigned *out_limit);

/// For pc_accept: return EINTR instead of retrying it, so that a process blocked in
/// accept can look at its stop flag (pc_stop_signal_catch).
#define PC_ACCEPT_INTERRUPTIBLE 1

/// accept4(2) with SOCK_CLOEXEC. When `host` is not NULL (at least PC_HOST_TEXT_MAX
/// bytes) it receives the peer's numeric host and `*out_port` its port. A connection
/// reset while it waited in the queue (ECONNABORTED) is skipped; EINTR is retried unless
/// `options` is PC_ACCEPT_INTERRUPTIBLE (else 0). EAGAIN on a non-blocking listener: none
/// waiting. EINVAL once the listener has been shut down (pc_listener_stop_accepting).
int pc_accept(int listen_fd, int options, int *out_fd, char *host, size_t host_capacity, int *out_port);

/// shutdown(2) of a listening socket: every accept blocked on it, in every process that
/// shares it, returns EINVAL at once, and new connections are refused. The descriptor
/// stays open (close it as usual).
int pc_listener_stop_accepting(int listen_fd);

/// Attaches a socket filter that drops every packet the listening socket `listen_fd`
/// receives: new connections can no longer complete (their SYN goes unanswered, and
/// the client sends it again, to find the port refused once the listener is closed),
/// while those already in the accept queue stay there to be accepted. What a drain
/// needs: the queue can only shrink, so an accept that finds it empty (EAGAIN) means
/// nothing is left to serve, and closing the listener then resets no connection.
/// Connections accepted before keep no filter. The filter belongs to the socket, so
/// every process that shares the listener sees it.
int pc_listener_drop_new_connections(int listen_fd);

/// getsockname(2): the numeric host (at least PC_HOST_TEXT_MAX bytes) and port that
/// socket `fd` is bound to, as tcpserver's TCPLOCALIP and TCPLOCALPORT give them. An
/// empty host for a socket that is not AF_INET or AF_INET6.
int pc_socket_local_address(int fd, char *host, size_t host_capacity, int *out_port);

/// Connects a close-on-exec TCP socket to `host`:`port`; `timeout_ms` bounds the
/// connect (-1: the kernel's own limit). ETIMEDOUT when it runs out.
int pc_tcp_connect(const char *host, int port, int timeout_ms, int *out_fd);

/// One send(2) on a socket (MSG_NOSIGNAL), retried on EINTR: `*out_written` may be less
/// than `length`; EAGAIN when a non-blocking socket's buffer is full.
int pc_write_some(int fd, const void *buffer, size_t length, size_t *out_written);

/// Sets SO_RCVTIMEO and SO_SNDTIMEO on `fd`: a read or write blocked for longer fails
/// with EAGAIN. 0 clears the timeouts.
int pc_socket_set_timeout(int fd, int timeout_ms);

/// shutdown(2) with SHUT_WR: tells the peer no more bytes will come.
int pc_shutdown_write(int fd);

/// Sets SO_LINGER to 0, so that close(2) resets the connection instead of closing it.
int pc_socket_set_reset_on_close(int fd);

/// recv(2) with MSG_PEEK | MSG_DONTWAIT, retried on EINTR: copies up to `capacity` bytes
/// that have arrived on socket `fd` without taking them (the next read gets them again).
/// EAGAIN when none has arrived; `*out_count` is 0 at end of stream.
int pc_socket_peek(int fd, void *buffer, size_t capacity, size_t *out_count);

#endif
