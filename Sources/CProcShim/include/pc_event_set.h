#ifndef PC_EVENT_SET_H
#define PC_EVENT_SET_H

#include <stdint.h>

/// Readiness the event set reports (epoll's EPOLLIN, EPOLLOUT, EPOLLERR|EPOLLHUP).
#define PC_EVENT_READABLE 1u
#define PC_EVENT_WRITABLE 2u
#define PC_EVENT_ERROR 4u

/// epoll_create1(EPOLL_CLOEXEC): a set of descriptors watched together, itself one
/// descriptor that poll(2) sees readable when any of them is ready. A server's loop
/// watches a whole group of sockets (its metrics endpoint's) through one poll slot.
int pc_event_set_create(int *out_fd);

/// Watches `fd` in `set` for `events` (PC_EVENT_READABLE | PC_EVENT_WRITABLE); a descriptor
/// already watched has its events replaced.
int pc_event_set_watch(int set, int fd, uint32_t events);

/// Stops watching `fd` in `set` (ENOENT when it was not watched).
int pc_event_set_forget(int set, int fd);

/// Up to `capacity` ready descriptors of `set` and their PC_EVENT_* flags, waiting at most
/// `timeout_ms` (0: not at all). `*out_count` may be 0.
int pc_event_set_wait(int set, int *fds, uint32_t *events, int capacity, int timeout_ms, int *out_count);

#endif
