#define _GNU_SOURCE
#include "pc_log_output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

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
