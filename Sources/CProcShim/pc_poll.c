#define _GNU_SOURCE
#include "pc_poll.h"
#include "pc_clock.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int pc_poll_one(int fd, short events, int timeout_ms, short *out_revents) {
    struct pollfd entry = {.fd = fd, .events = events, .revents = 0};
    int ready = 0;
    int rc = pc_poll(&entry, 1, timeout_ms, &ready);
    if (rc != 0) return rc;
    *out_revents = ready == 0 ? 0 : entry.revents;
    return 0;
}

int pc_poll(struct pollfd *fds, int count, int timeout_ms, int *out_ready) {
    long long deadline = pc_deadline_ns_after_ms(timeout_ms);
    int left = timeout_ms;
    for (;;) {
        int ready = poll(fds, (nfds_t)count, left);
        if (ready >= 0) {
            *out_ready = ready;
            return 0;
        }
        if (errno != EINTR) return errno;
        left = pc_milliseconds_left(deadline);
    }
}

int pc_epoll_create(int *out_epfd) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return errno;
    *out_epfd = epfd;
    return 0;
}

int pc_epoll_watch_readable_once(int epfd, int fd, uint64_t token) {
    struct epoll_event event = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : errno;
}

int pc_epoll_watch_readable(int epfd, int fd, uint64_t token) {
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : errno;
}

int pc_epoll_watch_writable(int epfd, int fd, uint64_t token) {
    struct epoll_event event = { .events = EPOLLOUT, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event) == 0 ? 0 : errno;
}

int pc_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0 ? 0 : errno;
}

int pc_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms, int *out_count) {
    if (capacity <= 0 || capacity > 64) return EINVAL;
    struct epoll_event events[64];
    long long deadline = pc_deadline_ns_after_ms(timeout_ms);
    for (;;) {
        int count = epoll_wait(epfd, events, capacity, timeout_ms);
        if (count >= 0) {
            for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
            *out_count = count;
            return 0;
        }
        if (errno != EINTR) return errno;
        timeout_ms = pc_milliseconds_left(deadline);
    }
}

int pc_eventfd(int *out_fd) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) return errno;
    *out_fd = fd;
    return 0;
}

int pc_eventfd_signal(int fd) {
    uint64_t one = 1;
    for (;;) {
        if (write(fd, &one, sizeof one) == (ssize_t)sizeof one) return 0;
        if (errno != EINTR) return errno;
    }
}

int pc_eventfd_drain(int fd) {
    uint64_t value;
    for (;;) {
        if (read(fd, &value, sizeof value) >= 0) return 0;
        if (errno == EAGAIN) return 0;
        if (errno != EINTR) return errno;
    }
}
