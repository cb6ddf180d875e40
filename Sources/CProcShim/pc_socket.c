#define _GNU_SOURCE
#include "pc_socket.h"
#include "pc_descriptors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parses a numeric IPv4 or IPv6 address; EINVAL for anything else (names included). */
static int pc_make_address(const char *host, int port, struct sockaddr_storage *out, socklen_t *out_len) {
    if (host == NULL || port < 0 || port > 65535) return EINVAL;
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *out_len = sizeof *v4;
        return 0;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *out_len = sizeof *v6;
        return 0;
    }
    return EINVAL;
}

/* Appends `value` in decimal at `*at`; returns the new end. */
static char *pc_append_decimal(char *at, unsigned value) {
    char digits[10];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (count > 0) *at++ = digits[--count];
    return at;
}

/* The numeric host of `address` without its port, and its port. IPv4 by hand:
   inet_ntop and snprintf both run vfprintf, whose deep stack frame touches a stack page
   that a fork-per-connection server then copies once per connection. */
static void pc_split_address(const struct sockaddr_storage *address, char *host, size_t capacity, int *out_port) {
    if (address->ss_family == AF_INET && capacity >= INET_ADDRSTRLEN) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
        const unsigned char *bytes = (const unsigned char *)&v4->sin_addr.s_addr;
        char *at = host;
        for (int i = 0; i < 4; i++) {
            at = pc_append_decimal(at, bytes[i]);
            if (i < 3) *at++ = '.';
        }
        *at = '\0';
        *out_port = ntohs(v4->sin_port);
    } else if (address->ss_family == AF_INET6 && capacity >= INET6_ADDRSTRLEN) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)address;
        if (inet_ntop(AF_INET6, &v6->sin6_addr, host, (socklen_t)capacity) == NULL) host[0] = '\0';
        *out_port = ntohs(v6->sin6_port);
    } else {
        if (capacity > 0) host[0] = '\0';
        *out_port = 0;
    }
}

int pc_tcp_listen(const char *host, int port, int backlog, int *out_fd, int *out_port) {
    return pc_tcp_listen_with_options(host, port, backlog, 0, out_fd, out_port);
}

int pc_tcp_listen_with_options(const char *host, int port, int backlog, int options, int *out_fd, int *out_port) {
    struct sockaddr_storage address;
    socklen_t length = 0;
    int rc = pc_make_address(host, port, &address, &length);
    if (rc != 0) return rc;
    int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        ((options & PC_LISTEN_REUSE_PORT) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
        bind(fd, (struct sockaddr *)&address, length) < 0 ||
        listen(fd, backlog) < 0) {
        rc = errno;
        close(fd);
        return rc;
    }
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_length) < 0) {
        rc = errno;
        close(fd);
        return rc;
    }
    *out_port = bound.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&bound)->sin_port)
                                           : ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    *out_fd = fd;
    return 0;
}

int pc_tcp_connect(const char *host, int port, int timeout_ms, int *out_fd) {
    struct sockaddr_storage address;
    socklen_t length = 0;
    int rc = pc_make_address(host, port, &address, &length);
    if (rc != 0) return rc;
    int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | (timeout_ms >= 0 ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) return errno;
    int r = connect(fd, (struct sockaddr *)&address, length);
    if (r < 0 && errno == EINPROGRESS && timeout_ms >= 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
        do {
            r = poll(&p, 1, timeout_ms); /* a rare EINTR restarts the full timeout */
        } while (r < 0 && errno == EINTR);
        if (r == 0) {
            close(fd);
            return ETIMEDOUT;
        }
        int error = 0;
        socklen_t error_length = sizeof error;
        if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length) < 0) error = errno;
        if (error != 0) {
            close(fd);
            return error;
        }
        r = 0;
    } else if (r < 0 && errno == EINTR && timeout_ms < 0) {
        /* The connect goes on in the kernel; wait for it like the timed case. */
        struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
        while (poll(&p, 1, -1) < 0 && errno == EINTR) {}
        int error = 0;
        socklen_t error_length = sizeof error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length);
        if (error != 0) {
            close(fd);
            return error;
        }
        r = 0;
    }
    if (r < 0) {
        rc = errno;
        close(fd);
        return rc;
    }
    if (timeout_ms >= 0) {
        int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out_fd = fd;
    return 0;
}

int pc_socket_set_timeout(int fd, int timeout_ms) {
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) return errno;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) return errno;
    return 0;
}

int pc_shutdown_write(int fd) {
    if (shutdown(fd, SHUT_WR) < 0) return errno;
    return 0;
}

int pc_socket_set_reset_on_close(int fd) {
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0) return errno;
    return 0;
}

int pc_socket_peek(int fd, void *buffer, size_t capacity, size_t *out_count) {
    for (;;) {
        ssize_t n = recv(fd, buffer, capacity, MSG_PEEK | MSG_DONTWAIT);
        if (n >= 0) {
            *out_count = (size_t)n;
            return 0;
        }
        if (errno != EINTR) return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
}

int pc_accept(int listen_fd, int options, int *out_fd, char *host, size_t host_capacity, int *out_port) {
    struct sockaddr_storage address;
    for (;;) {
        socklen_t length = sizeof address;
        int fd = accept4(listen_fd, (struct sockaddr *)&address, &length, SOCK_CLOEXEC);
        if (fd >= 0) {
            if (host != NULL) pc_split_address(&address, host, host_capacity, out_port);
            *out_fd = fd;
            return 0;
        }
        /* A connection reset while queued is the peer's business, not the listener's. */
        if (errno == ECONNABORTED || (errno == EINTR && !(options & PC_ACCEPT_INTERRUPTIBLE))) continue;
        return errno;
    }
}

int pc_listener_stop_accepting(int listen_fd) {
    if (shutdown(listen_fd, SHUT_RDWR) < 0) return errno;
    return 0;
}

int pc_listener_drop_new_connections(int listen_fd) {
    /* One classic BPF instruction: keep 0 bytes of every packet, i.e. drop it. */
    struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sock_fprog program = { .len = 1, .filter = drop };
    if (setsockopt(listen_fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) < 0) return errno;
    return 0;
}

int pc_socket_local_address(int fd, char *host, size_t host_capacity, int *out_port) {
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) return errno;
    pc_split_address(&address, host, host_capacity, out_port);
    return 0;
}

int pc_listener_queue_length(int fd, unsigned *out_queued, unsigned *out_limit) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return errno;
    if (info.tcpi_state != TCP_LISTEN) return EINVAL;
    /* For a listening socket the kernel reports its accept queue in these two fields. */
    *out_queued = info.tcpi_unacked;
    *out_limit = info.tcpi_sacked;
    return 0;
}

int pc_write_some(int fd, const void *buffer, size_t length, size_t *out_written) {
    for (;;) {
        ssize_t n = send(fd, buffer, length, MSG_NOSIGNAL);
        if (n >= 0) {
            *out_written = (size_t)n;
            return 0;
        }
        if (errno != EINTR) return errno;
    }
}

int pc_check_listening_stream(int fd) {
    struct stat info;
    if (fstat(fd, &info) != 0) return errno;
    if (!S_ISSOCK(info.st_mode)) return ENOTSOCK;
    int value = 0;
    socklen_t size = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &size) != 0) return errno;
    if (value != SOCK_STREAM) return EINVAL;
    size = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &size) != 0) return errno;
    return value == 1 ? 0 : EINVAL;
}

int pc_adopt_listener(int fd, char *host, size_t host_capacity, int *out_port) {
    int rc = pc_check_listening_stream(fd);
    if (rc != 0) return rc;
    rc = pc_socket_local_address(fd, host, host_capacity, out_port);
    if (rc != 0) return rc;
    if (host[0] == '\0') return EINVAL; /* not AF_INET or AF_INET6 (or `host` too small) */
    return pc_set_close_on_exec(fd);
}
