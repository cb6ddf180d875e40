#ifndef PC_SYSTEMD_H
#define PC_SYSTEMD_H

#include <stddef.h>

/// The first descriptor systemd passes to a socket-activated service (SD_LISTEN_FDS_START).
#define PC_LISTEN_FDS_START 3

/// Sends `message` as one datagram to the AF_UNIX socket `socket_path`, as sd_notify(3)
/// does, without libsystemd: a path starting with '@' names the abstract namespace.
/// Never blocks: EAGAIN when the receiver's queue is full (the datagram is not sent).
/// ENAMETOOLONG for a path that does not fit, ECONNREFUSED or ENOENT when nothing listens.
int pc_notify_send(const char *socket_path, const void *message, size_t length);

/// Checks that `fd` is a listening TCP socket (SOCK_STREAM, AF_INET or AF_INET6,
/// SO_ACCEPTCONN), makes it close-on-exec, and gives the address it is bound to: the
/// numeric host in `host` (at least PC_HOST_TEXT_MAX bytes, as for
/// pc_socket_local_address) and the port.
/// EBADF for a closed descriptor, ENOTSOCK for something else, EINVAL for a socket of
/// another kind or one that does not listen.
int pc_adopt_listener(int fd, char *host, size_t host_capacity, int *out_port);

#endif
