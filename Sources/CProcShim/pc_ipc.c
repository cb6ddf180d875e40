#define _GNU_SOURCE
#include "pc_ipc.h"
#include "pc_io.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

int pc_socketpair(int fds[2]) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) return errno;
    return 0;
}

int pc_write_frame(int fd, const void *header, size_t header_length,
                   const void *body, size_t body_length) {
    struct iovec iov[2] = {
        {.iov_base = (void *)header, .iov_len = header_length},
        {.iov_base = (void *)body, .iov_len = body_length},
    };
    struct iovec *next = iov;
    int left = body_length > 0 ? 2 : 1;
    int is_socket = 1;
    while (left > 0) {
        ssize_t n;
        if (is_socket) {
            /* sendmsg with MSG_NOSIGNAL keeps SIGPIPE away; ENOTSOCK: a pipe, use writev. */
            struct msghdr message = {.msg_iov = next, .msg_iovlen = (size_t)left};
            n = sendmsg(fd, &message, MSG_NOSIGNAL);
            if (n < 0 && errno == ENOTSOCK) {
                is_socket = 0;
                continue;
            }
        } else {
            n = writev(fd, next, left);
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        size_t written = (size_t)n;
        while (left > 0 && written >= next->iov_len) {
            written -= next->iov_len;
            next++;
            left--;
        }
        if (left > 0) {
            next->iov_base = (char *)next->iov_base + written;
            next->iov_len -= written;
        }
    }
    return 0;
}

int pc_futex_wait(uint32_t *word, uint32_t expected, int timeout_ms) {
    long long deadline = timeout_ms < 0 ? -1 : pc_monotonic_ns() + (long long)timeout_ms * 1000000LL;
    for (;;) {
        struct timespec relative, *timeout = NULL;
        if (deadline >= 0) {
            long long left = deadline - pc_monotonic_ns();
            if (left <= 0) return ETIMEDOUT;
            relative.tv_sec = left / 1000000000LL;
            relative.tv_nsec = left % 1000000000LL;
            timeout = &relative;
        }
        /* Not FUTEX_PRIVATE_FLAG: the word is in memory shared with other processes. */
        long r = syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout, NULL, 0);
        if (r == 0) return 0;
        if (errno == EAGAIN) return 0;
        if (errno == EINTR) continue;
        return errno;
    }
}

int pc_futex_wake(uint32_t *word, int count) {
    if (syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0) < 0) return errno;
    return 0;
}
