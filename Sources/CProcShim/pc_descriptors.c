#define _GNU_SOURCE
#include "pc_descriptors.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int pc_read(int fd, void *buffer, size_t capacity, size_t *out_count) {
    for (;;) {
        ssize_t n = read(fd, buffer, capacity);
        if (n >= 0) {
            *out_count = (size_t)n;
            return 0;
        }
        if (errno != EINTR) return errno;
    }
}

int pc_read_full(int fd, void *buffer, size_t length, size_t *out_count) {
    size_t done = 0;
    while (done < length) {
        size_t n = 0;
        int rc = pc_read(fd, (char *)buffer + done, length - done, &n);
        if (rc != 0) return rc;
        if (n == 0) break;
        done += n;
    }
    *out_count = done;
    return 0;
}

int pc_write_all(int fd, const void *buffer, size_t length) {
    const char *p = buffer;
    while (length > 0) {
        /* send with MSG_NOSIGNAL keeps SIGPIPE away even where it is not ignored;
           ENOTSOCK means fd is a pipe or file, where write(2) does the job. */
        ssize_t n = send(fd, p, length, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = write(fd, p, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += n;
        length -= (size_t)n;
    }
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

int pc_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) < 0) return errno;
    return 0;
}

int pc_close(int fd) {
    if (close(fd) < 0 && errno != EINTR) return errno;
    return 0;
}

int pc_set_close_on_exec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return errno;
    if (fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) return errno;
    return 0;
}

int pc_set_nonblocking(int fd, bool nonblocking) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (fcntl(fd, F_SETFL, flags) < 0) return errno;
    return 0;
}

int pc_descriptor_inode(int fd, uint64_t *out_inode) {
    struct stat info;
    if (fstat(fd, &info) < 0) return errno;
    *out_inode = (uint64_t)info.st_ino;
    return 0;
}

int pc_log_output_open(int fd, int *out_fd, int *out_kind) {
    struct stat info;
    if (fstat(fd, &info) != 0) return errno;
    if (S_ISSOCK(info.st_mode)) {
        *out_fd = fd;
        *out_kind = PC_LOG_OUTPUT_SOCKET;
        return 0;
    }
    if (!S_ISFIFO(info.st_mode) && !S_ISCHR(info.st_mode)) {
        *out_fd = fd;
        *out_kind = PC_LOG_OUTPUT_PLAIN;
        return 0;
    }
    /* Opening /proc/self/fd/N makes a new open file description of the same pipe or
       terminal: its O_NONBLOCK is this process's alone. A regular file is never opened
       again this way (that would write from offset 0 over what is there). */
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int own;
    do {
        own = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    } while (own < 0 && errno == EINTR);
    if (own < 0) {
        *out_fd = fd;
        *out_kind = PC_LOG_OUTPUT_POLLED;
        return 0;
    }
    *out_fd = own;
    *out_kind = PC_LOG_OUTPUT_PLAIN;
    return 0;
}

int pc_log_output_write(int fd, int kind, const void *bytes, size_t length, size_t *out_written) {
    if (kind == PC_LOG_OUTPUT_POLLED) {
        struct pollfd entry = {.fd = fd, .events = POLLOUT, .revents = 0};
        int ready;
        do {
            ready = poll(&entry, 1, 0);
        } while (ready < 0 && errno == EINTR);
        if (ready < 0) return errno;
        if (ready == 0) return EAGAIN;
        /* POLLOUT on a pipe: a free page, so PIPE_BUF bytes go in without waiting. */
        if (length > PIPE_BUF) length = PIPE_BUF;
    }
    for (;;) {
        ssize_t n = kind == PC_LOG_OUTPUT_SOCKET ? send(fd, bytes, length, MSG_DONTWAIT | MSG_NOSIGNAL)
                                                 : write(fd, bytes, length);
        if (n > 0) {
            *out_written = (size_t)n;
            return 0;
        }
        if (n == 0) return EAGAIN;
        if (errno == EINTR) continue;
        return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
}
