#define _GNU_SOURCE
#include "pc_ipc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int pc_socketpair(int fds[2]) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) return errno;
    return 0;
}

/* writev(2) to a pipe raises SIGPIPE when the reader has gone. Block it around the write
   and take back the one the write raised, so that the caller gets EPIPE and nothing else
   happens, even in a process that has not ignored SIGPIPE. */
static ssize_t writev_without_sigpipe(int fd, const struct iovec *iov, int count) {
    sigset_t pipe_only, old_mask, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
    sigpending(&pending);
    bool already_pending = sigismember(&pending, SIGPIPE);
    ssize_t n = writev(fd, iov, count);
    int saved = errno;
    if (n < 0 && saved == EPIPE && !already_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    errno = saved;
    return n;
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
            n = writev_without_sigpipe(fd, next, left);
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
