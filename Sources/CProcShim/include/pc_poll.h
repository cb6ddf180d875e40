#ifndef PC_POLL_H
#define PC_POLL_H

#include <poll.h>
#include <stdint.h>

/*
 * The readiness family: waiting until descriptors can be read or written, with poll(2)
 * for a few descriptors, epoll(7) for many, and eventfd(2) to wake a waiter.
 */

/// poll(2) for one descriptor. `events` are POLLIN/POLLOUT bits; `*out_revents` is 0 on
/// timeout. EINTR is retried with the time that is left.
int pc_poll_one(int fd, short events, int timeout_ms, short *out_revents);

/// poll(2) for several descriptors: `fds` as struct pollfd (entries with a negative fd are
/// skipped). `*out_ready` is the number of entries with events, 0 on timeout. EINTR is
/// retried with the time that is left.
int pc_poll(struct pollfd *fds, int count, int timeout_ms, int *out_ready);

/// epoll_create1(2) with EPOLL_CLOEXEC.
int pc_epoll_create(int *out_epfd);

/// Watches `fd` for readability (EPOLLIN, plus hang-up and error, which epoll always
/// reports) once: after it fires, the descriptor stays registered but disarmed
/// (EPOLLONESHOT) until pc_epoll_remove. `token` comes back from pc_epoll_wait.
/// EEXIST when `fd` is already watched.
int pc_epoll_watch_readable_once(int epfd, int fd, uint64_t token);

/// Watches `fd` for readability (EPOLLIN, hang-up, error) for as long as it stays
/// registered (level-triggered). EEXIST when `fd` is already watched.
int pc_epoll_watch_readable(int epfd, int fd, uint64_t token);

/// Watches an `fd` already registered for writability instead of readability
/// (level-triggered): a socket with a reply left to write. ENOENT when it is not watched.
int pc_epoll_watch_writable(int epfd, int fd, uint64_t token);

/// Stops watching `fd`. ENOENT when it was not watched (it was closed, for example).
int pc_epoll_remove(int epfd, int fd);

/// epoll_wait(2): up to `capacity` tokens of ready descriptors in `tokens`, waiting up
/// to `timeout_ms` (-1: for ever). `*out_count` is 0 on timeout. EINTR is retried with
/// the time that is left.
int pc_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms, int *out_count);

/// eventfd(2), non-blocking and close-on-exec, starting at 0: a descriptor another
/// thread makes readable with pc_eventfd_signal, to wake an epoll loop.
int pc_eventfd(int *out_fd);

/// Adds 1 to an eventfd, making it readable.
int pc_eventfd_signal(int fd);

/// Reads an eventfd back to 0 (nothing to read is not an error).
int pc_eventfd_drain(int fd);

#endif
