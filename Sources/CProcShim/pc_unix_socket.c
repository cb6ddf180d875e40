#define _GNU_SOURCE
#include "pc_unix_socket.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int pc_unix_address(const char *path, struct sockaddr_un *out_address, socklen_t *out_length) {
    if (path == NULL || path[0] == '\0') return EINVAL;
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t path_length = strlen(path);
    if (path_length >= sizeof address.sun_path) return ENAMETOOLONG;
    memcpy(address.sun_path, path, path_length);
    socklen_t length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length);
    if (path[0] == '@') {
        address.sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL */
    } else {
        length += 1; /* the terminating NUL of a filesystem path */
    }
    *out_address = address;
    *out_length = length;
    return 0;
}

/* The address of `path` and a new close-on-exec AF_UNIX stream socket for it. */
static int unix_stream_socket(const char *path, struct sockaddr_un *address, socklen_t *length, int *out_fd) {
    int rc = pc_unix_address(path, address, length);
    if (rc != 0) return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    *out_fd = fd;
    return 0;
}

int pc_unix_listen(const char *path, int backlog, int *out_fd) {
    struct sockaddr_un address;
    socklen_t length = 0;
    int fd = -1;
    int rc = unix_stream_socket(path, &address, &length, &fd);
    if (rc != 0) return rc;
    if (bind(fd, (struct sockaddr *)&address, length) != 0 || listen(fd, backlog) != 0) {
        rc = errno;
        close(fd);
        return rc;
    }
    *out_fd = fd;
    return 0;
}

int pc_unix_connect(const char *path, int *out_fd) {
    struct sockaddr_un address;
    socklen_t length = 0;
    int fd = -1;
    int rc = unix_stream_socket(path, &address, &length, &fd);
    if (rc != 0) return rc;
    while (connect(fd, (struct sockaddr *)&address, length) != 0) {
        /* An interrupted connect on a Unix socket completes or fails on its own: retry. */
        if (errno == EINTR) continue;
        if (errno == EISCONN) break; /* the interrupted connect had completed */
        rc = errno;
        close(fd);
        return rc;
    }
    *out_fd = fd;
    return 0;
}
