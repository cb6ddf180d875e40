#define _GNU_SOURCE
#include "pc_unix_socket.h"

#include "pc_descriptors.h"
#include "pc_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int pc_socketpair(int fds[2]) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) return errno;
    return 0;
}

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

/* Whether a server listens on the socket file at `address`: 0 when a non-blocking
   connect is accepted, EAGAIN when it is queued behind a full backlog (both: live),
   ECONNREFUSED when nothing listens (a dead server's file), else the connect's errno. */
static int pc_unix_probe(const struct sockaddr_un *address, socklen_t length) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return errno;
    int rc = 0;
    while (connect(fd, (const struct sockaddr *)address, length) != 0) {
        if (errno == EINTR) continue;
        rc = errno;
        break;
    }
    close(fd);
    return rc;
}

/* What is at `path` before a bind: 0 when nothing is (or a stale socket file was
   removed), else the errno pc_unix_listen_replacing_stale gives. */
static int pc_unix_clear_stale(const char *path, const struct sockaddr_un *address, socklen_t length) {
    struct stat info;
    if (lstat(path, &info) != 0) return errno == ENOENT ? 0 : errno; /* a missing directory: bind says so */
    if (S_ISDIR(info.st_mode)) return EISDIR;
    if (!S_ISSOCK(info.st_mode)) return EEXIST;
    int probe = pc_unix_probe(address, length);
    if (probe == 0 || probe == EAGAIN) return EADDRINUSE;
    if (probe == ENOENT) return 0; /* removed meanwhile */
    if (probe != ECONNREFUSED) return probe;
    if (unlink(path) != 0 && errno != ENOENT) return errno;
    return 0;
}

int pc_unix_listen_replacing_stale(const char *path, int backlog, int mode, int *out_fd) {
    struct sockaddr_un address;
    socklen_t length = 0;
    int rc = pc_unix_address(path, &address, &length);
    if (rc != 0) return rc;
    int has_file = path[0] != '@';
    if (has_file && (rc = pc_unix_clear_stale(path, &address, length)) != 0) return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    if (bind(fd, (struct sockaddr *)&address, length) != 0) {
        rc = errno;
        close(fd);
        return rc;
    }
    /* Before listen: until then a connect is refused, so none gets in under the umask's bits. */
    if ((has_file && mode >= 0 && chmod(path, (mode_t)mode) != 0) || listen(fd, backlog) != 0) {
        rc = errno;
        close(fd);
        if (has_file) unlink(path);
        return rc;
    }
    *out_fd = fd;
    return 0;
}

/* The text of the AF_UNIX name in `address` (`length` bytes as getsockname gave them):
   the path, '@' and the bytes after the NUL for an abstract name, "" when unnamed.
   `path` holds at least PC_UNIX_PATH_TEXT_MAX bytes. */
static void pc_unix_name_text(const struct sockaddr_un *address, socklen_t length, char *path) {
    size_t name_length = length > offsetof(struct sockaddr_un, sun_path) ? length - offsetof(struct sockaddr_un, sun_path) : 0;
    if (name_length > sizeof address->sun_path) name_length = sizeof address->sun_path;
    if (name_length == 0) {
        path[0] = '\0';
    } else if (address->sun_path[0] == '\0') {
        path[0] = '@';
        memcpy(path + 1, address->sun_path + 1, name_length - 1);
        path[name_length] = '\0';
    } else {
        size_t text_length = strnlen(address->sun_path, name_length);
        memcpy(path, address->sun_path, text_length);
        path[text_length] = '\0';
    }
}

int pc_unix_local_path(int fd, char *path, size_t capacity) {
    if (capacity < PC_UNIX_PATH_TEXT_MAX) return EINVAL;
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return errno;
    if (address.sun_family != AF_UNIX) return EAFNOSUPPORT;
    pc_unix_name_text(&address, length, path);
    return 0;
}

int pc_adopt_unix_listener(int fd, char *path, size_t capacity) {
    int rc = pc_unix_local_path(fd, path, capacity);
    if (rc != 0) return rc;
    rc = pc_check_listening_stream(fd);
    if (rc != 0) return rc;
    if (path[0] == '\0') return EINVAL; /* unnamed: nobody can connect to it */
    return pc_set_close_on_exec(fd);
}

/* The file's inode and its last status change in nanoseconds: tmpfs and overlayfs reuse a
   freed inode number at once, so the inode alone would take a newer file for this one. */
static unsigned long long pc_file_change_ns(const struct stat *info) {
    return (unsigned long long)info->st_ctim.tv_sec * 1000000000ULL + (unsigned long long)info->st_ctim.tv_nsec;
}

int pc_unix_socket_file_identity(const char *path, unsigned long long *out_inode, unsigned long long *out_change_ns) {
    struct stat info;
    if (lstat(path, &info) != 0) return errno;
    if (!S_ISSOCK(info.st_mode)) return ENOTSOCK;
    *out_inode = (unsigned long long)info.st_ino;
    *out_change_ns = pc_file_change_ns(&info);
    return 0;
}

int pc_unix_socket_file_remove(const char *path, unsigned long long inode, unsigned long long change_ns) {
    struct stat info;
    if (lstat(path, &info) != 0) return errno;
    if ((unsigned long long)info.st_ino != inode || pc_file_change_ns(&info) != change_ns) return ESTALE;
    return unlink(path) == 0 ? 0 : errno;
}

int pc_unix_peer_credentials(int fd, int *out_pid, unsigned *out_uid, unsigned *out_gid) {
    struct sockaddr_storage address;
    socklen_t address_length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &address_length) != 0) return errno;
    if (address.ss_family != AF_UNIX) return EAFNOSUPPORT; /* TCP's SO_PEERCRED says nothing true */
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return errno;
    *out_pid = credentials.pid;
    *out_uid = credentials.uid;
    *out_gid = credentials.gid;
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

/* Room for the descriptors of one message, aligned for cmsghdr. */
typedef union {
    char buffer[CMSG_SPACE(sizeof(int) * PC_FD_PASSING_MAX)];
    struct cmsghdr align;
} pc_fd_control;

int pc_seqpacket_pair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : errno;
}

int pc_send_with_fds(int socket_fd, const void *bytes, size_t length, const int *fds, int fd_count) {
    if (fd_count < 0 || fd_count > PC_FD_PASSING_MAX) return EINVAL;
    pc_fd_control control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { .iov_base = (void *)bytes, .iov_len = length };
    struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (fd_count > 0) {
        message.msg_control = control.buffer;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * (size_t)fd_count);
    }
    for (;;) {
        ssize_t sent = sendmsg(socket_fd, &message, MSG_NOSIGNAL);
        if (sent >= 0) {
            /* A SEQPACKET message goes whole or not at all; on a stream the descriptors
               went with the first byte, so only bytes can be left. */
            size_t done = (size_t)sent;
            while (done < length) {
                ssize_t more = send(socket_fd, (const char *)bytes + done, length - done, MSG_NOSIGNAL);
                if (more < 0) {
                    if (errno == EINTR) continue;
                    return errno;
                }
                done += (size_t)more;
            }
            return 0;
        }
        if (errno != EINTR) return errno;
    }
}

/* One message as recvmsg(2) received it: its bytes went to the caller's buffer. */
typedef struct {
    struct iovec iov;
    struct msghdr header;
    size_t length;
    pc_fd_control control; /* last: its size is a GNU constant expression (CMSG_SPACE) */
} pc_received_message;

/* One recvmsg(2) of at most `capacity` bytes into `buffer`, with room for the
   descriptors (made close-on-exec), EINTR retried. */
static int pc_receive_message(int socket_fd, void *buffer, size_t capacity, pc_received_message *out) {
    out->iov = (struct iovec){ .iov_base = buffer, .iov_len = capacity };
    out->header = (struct msghdr){ .msg_iov = &out->iov, .msg_iovlen = 1,
                                   .msg_control = out->control.buffer, .msg_controllen = sizeof out->control.buffer };
    for (;;) {
        ssize_t received = recvmsg(socket_fd, &out->header, MSG_CMSG_CLOEXEC);
        if (received >= 0) {
            out->length = (size_t)received;
            return 0;
        }
        if (errno != EINTR) return errno;
    }
}

int pc_receive_with_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count) {
    pc_received_message message;
    int rc = pc_receive_message(socket_fd, buffer, capacity, &message);
    if (rc != 0) return rc;
    int count = 0;
    int overflow = (message.header.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message.header); header != NULL; header = CMSG_NXTHDR(&message.header, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int incoming[PC_FD_PASSING_MAX];
        if (n > PC_FD_PASSING_MAX) n = PC_FD_PASSING_MAX;
        memcpy(incoming, CMSG_DATA(header), sizeof(int) * (size_t)n);
        for (int i = 0; i < n; i++) {
            if (count < fd_capacity && !overflow) fds[count++] = incoming[i];
            else { close(incoming[i]); overflow = 1; }
        }
    }
    if (overflow) {
        for (int i = 0; i < count; i++) close(fds[i]);
        return EMSGSIZE;
    }
    *out_length = message.length;
    *out_fd_count = count;
    return 0;
}

int pc_read_keeping_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count) {
    pc_received_message message;
    int rc = pc_receive_message(socket_fd, buffer, capacity, &message);
    if (rc != 0) return rc;
    int count = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message.header); header != NULL; header = CMSG_NXTHDR(&message.header, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < n; i++) {
            int incoming;
            memcpy(&incoming, CMSG_DATA(header) + sizeof(int) * (size_t)i, sizeof incoming);
            if (count < fd_capacity) fds[count++] = incoming;
            else close(incoming);
        }
    }
    *out_length = message.length;
    *out_fd_count = count;
    return 0;
}
