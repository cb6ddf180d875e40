#define _GNU_SOURCE
#include "pc_systemd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int pc_notify_send(const char *socket_path, const void *message, size_t length) {
    if (socket_path == NULL || socket_path[0] == '\0') return EINVAL;
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t path_length = strlen(socket_path);
    if (path_length >= sizeof address.sun_path) return ENAMETOOLONG;
    memcpy(address.sun_path, socket_path, path_length);
    socklen_t address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length);
    if (socket_path[0] == '@') {
        address.sun_path[0] = '\0'; /* abstract: the name is the bytes after the NUL */
    } else {
        address_length += 1; /* the terminating NUL of a filesystem path */
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int rc = 0;
    for (;;) {
        ssize_t sent = sendto(fd, message, length, MSG_NOSIGNAL, (struct sockaddr *)&address, address_length);
        if (sent >= 0) break;
        if (errno != EINTR) {
            rc = errno;
            break;
        }
    }
    close(fd);
    return rc;
}

int pc_adopt_listener(int fd, char *host, size_t host_capacity, int *out_port) {
    struct stat info;
    if (fstat(fd, &info) != 0) return errno;
    if (!S_ISSOCK(info.st_mode)) return ENOTSOCK;
    int value = 0;
    socklen_t size = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &size) != 0) return errno;
    if (value != SOCK_STREAM) return EINVAL;
    size = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &size) != 0) return errno;
    if (value != 1) return EINVAL;
    struct sockaddr_storage address;
    socklen_t address_length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &address_length) != 0) return errno;
    char text[INET6_ADDRSTRLEN];
    int port;
    if (address.ss_family == AF_INET) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
        if (inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text) == NULL) return errno;
        port = ntohs(v4->sin_port);
    } else if (address.ss_family == AF_INET6) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
        if (inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text) == NULL) return errno;
        port = ntohs(v6->sin6_port);
    } else {
        return EINVAL;
    }
    if (strlen(text) >= host_capacity) return ENAMETOOLONG;
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0) return errno;
    strcpy(host, text);
    *out_port = port;
    return 0;
}
