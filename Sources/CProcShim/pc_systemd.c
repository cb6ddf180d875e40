#define _GNU_SOURCE
#include "pc_systemd.h"
#include "pc_socket.h"
#include "pc_upgrade.h"
#include "pc_unix_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int pc_notify_send(const char *socket_path, const void *message, size_t length) {
    struct sockaddr_un address;
    socklen_t address_length = 0;
    int invalid = pc_unix_address(socket_path, &address, &address_length);
    if (invalid != 0) return invalid;
    /* Non-blocking: a manager whose queue is full (it does not read) costs a dropped
       datagram (EAGAIN), never a caller stuck in sendto. */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return errno;
    int rc = 0;
    for (;;) {
        ssize_t sent = sendto(fd, message, length, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&address, address_length);
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
    int rc = pc_socket_local_address(fd, host, host_capacity, out_port);
    if (rc != 0) return rc;
    if (host[0] == '\0') return EINVAL; /* not AF_INET or AF_INET6 (or `host` too small) */
    return pc_set_close_on_exec(fd);
}
