#ifndef PC_UNIX_SOCKET_H
#define PC_UNIX_SOCKET_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

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

#endif
