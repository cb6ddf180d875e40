#ifndef PC_IPC_H
#define PC_IPC_H

#include <stddef.h>
#include <stdint.h>

/// socketpair(2): two connected AF_UNIX stream sockets, close-on-exec, for a duplex
/// Pipe between processes.
int pc_socketpair(int fds[2]);

/// Writes `header` then `body` as one message: writev(2) (sendmsg with MSG_NOSIGNAL on a
/// socket), finishing partial writes and retrying EINTR. One system call for a message
/// that fits the buffer, and the body is never copied. EPIPE when the reader has gone.
int pc_write_frame(int fd, const void *header, size_t header_length,
                   const void *body, size_t body_length);

/// futex(2) FUTEX_WAIT on a word in memory shared between processes: sleeps while
/// `*word == expected`, at most `timeout_ms` (-1: for ever). 0 when woken or when the word
/// had already changed (EAGAIN is folded into 0); ETIMEDOUT when the time ran out. EINTR
/// is retried with the time that is left.
int pc_futex_wait(uint32_t *word, uint32_t expected, int timeout_ms);

/// futex(2) FUTEX_WAKE: wakes up to `count` processes sleeping on `word`.
int pc_futex_wake(uint32_t *word, int count);

#endif
