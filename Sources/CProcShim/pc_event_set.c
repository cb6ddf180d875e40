#define _GNU_SOURCE
#include "pc_event_set.h"

#include <errno.h>
#include <sys/epoll.h>

int pc_event_set_create(int *out_fd) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) return errno;
    *out_fd = fd;
    return 0;
}

static uint32_t pc_epoll_events(uint32_t events) {
    return ((events & PC_EVENT_READABLE) ? EPOLLIN : 0) | ((events & PC_EVENT_WRITABLE) ? EPOLLOUT : 0);
}

int pc_event_set_watch(int set, int fd, uint32_t events) {
    struct epoll_event event = {.events = pc_epoll_events(events), .data = {.fd = fd}};
    if (epoll_ctl(set, EPOLL_CTL_ADD, fd, &event) == 0) return 0;
    if (errno != EEXIST) return errno;
    return epoll_ctl(set, EPOLL_CTL_MOD, fd, &event) == 0 ? 0 : errno;
}

int pc_event_set_forget(int set, int fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(set, EPOLL_CTL_DEL, fd, &unused) == 0 ? 0 : errno;
}

int pc_event_set_wait(int set, int *fds, uint32_t *events, int capacity, int timeout_ms, int *out_count) {
    if (capacity <= 0 || capacity > 64) return EINVAL;
    struct epoll_event ready[64];
    int count;
    for (;;) {
        count = epoll_wait(set, ready, capacity, timeout_ms);
        if (count >= 0) break;
        if (errno != EINTR) return errno;
    }
    for (int i = 0; i < count; i++) {
        fds[i] = ready[i].data.fd;
        uint32_t flags = 0;
        if (ready[i].events & EPOLLIN) flags |= PC_EVENT_READABLE;
        if (ready[i].events & EPOLLOUT) flags |= PC_EVENT_WRITABLE;
        if (ready[i].events & (EPOLLERR | EPOLLHUP)) flags |= PC_EVENT_ERROR;
        events[i] = flags;
    }
    *out_count = count;
    return 0;
}
