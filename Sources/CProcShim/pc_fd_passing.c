#define _GNU_SOURCE
#include "pc_fd_passing.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int pc_seqpacket_pair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : errno;
}

int pc_send_with_fds(int socket_fd, const void *bytes, size_t length, const int *fds, int fd_count) {
    if (fd_count < 0 || fd_count > PC_FD_PASSING_MAX) return EINVAL;
    union {
        char buffer[CMSG_SPACE(sizeof(int) * PC_FD_PASSING_MAX)];
        struct cmsghdr align;
    } control;
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

int pc_receive_with_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count) {
    union {
        char buffer[CMSG_SPACE(sizeof(int) * PC_FD_PASSING_MAX)];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = buffer, .iov_len = capacity };
    struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1,
                              .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    ssize_t received;
    for (;;) {
        received = recvmsg(socket_fd, &message, MSG_CMSG_CLOEXEC);
        if (received >= 0) break;
        if (errno != EINTR) return errno;
    }
    int count = 0;
    int overflow = (message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
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
    *out_length = (size_t)received;
    *out_fd_count = count;
    return 0;
}

int pc_read_keeping_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count) {
    union {
        char buffer[CMSG_SPACE(sizeof(int) * PC_FD_PASSING_MAX)];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = buffer, .iov_len = capacity };
    struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1,
                              .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    ssize_t received;
    for (;;) {
        received = recvmsg(socket_fd, &message, MSG_CMSG_CLOEXEC);
        if (received >= 0) break;
        if (errno != EINTR) return errno;
    }
    int count = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < n; i++) {
            int incoming;
            memcpy(&incoming, CMSG_DATA(header) + sizeof(int) * (size_t)i, sizeof incoming);
            if (count < fd_capacity) fds[count++] = incoming;
            else close(incoming);
        }
    }
    *out_length = (size_t)received;
    *out_fd_count = count;
    return 0;
}
