#define _GNU_SOURCE
#include "pc_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
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

int pc_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) < 0) return errno;
    return 0;
}

int pc_close(int fd) {
    if (close(fd) < 0 && errno != EINTR) return errno;
    return 0;
}

long long pc_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int pc_poll_one(int fd, short events, int timeout_ms, short *out_revents) {
    long long deadline = timeout_ms < 0 ? -1 : pc_monotonic_ns() / 1000000 + timeout_ms;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int left = timeout_ms;
        if (deadline >= 0) {
            long long l = deadline - pc_monotonic_ns() / 1000000;
            left = l < 0 ? 0 : (int)l;
        }
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        *out_revents = r == 0 ? 0 : p.revents;
        return 0;
    }
}

int pc_poll(struct pollfd *fds, int count, int timeout_ms, int *out_ready) {
    long long deadline = timeout_ms < 0 ? -1 : pc_monotonic_ns() / 1000000 + timeout_ms;
    int left = timeout_ms;
    for (;;) {
        int r = poll(fds, (nfds_t)count, left);
        if (r >= 0) {
            *out_ready = r;
            return 0;
        }
        if (errno != EINTR) return errno;
        if (deadline >= 0) {
            long long l = deadline - pc_monotonic_ns() / 1000000;
            left = l < 0 ? 0 : (int)l;
        }
    }
}

int pc_count_open_fds(pid_t pid, int *out_count) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *dir = opendir(path);
    if (dir == NULL) return errno;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.') count++;
    }
    closedir(dir);
    /* opendir's own descriptor is counted when pid is the caller. */
    *out_count = count;
    return 0;
}
