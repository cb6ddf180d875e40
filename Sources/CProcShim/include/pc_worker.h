#ifndef PC_WORKER_H
#define PC_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What a prefork worker needs beyond the rest of the shim: a stop flag set by a signal
 * that interrupts a blocking accept, an accept that reports that interruption instead of
 * retrying it, death with its master, and the scoreboard slot it writes.
 */

/// Catches `signal` (SIGTERM for the workers) with a handler that only sets the stop
/// flag, installed without SA_RESTART: an accept(2) blocked when it arrives returns EINTR,
/// so an idle worker told to stop wakes up and leaves. Reads and writes elsewhere in the
/// shim retry EINTR, so a busy worker finishes its connection first.
int pc_worker_catch_stop(int signal);

/// Whether the stop signal has arrived since `pc_worker_catch_stop`.
bool pc_worker_stop_requested(void);

/// Asks the kernel to send `signal` to the calling process when the thread that forked
/// it ends (prctl PR_SET_PDEATHSIG), then checks that its parent is still `parent`:
/// ESRCH when the parent ended before the request took effect.
int pc_worker_die_with_parent(int signal, pid_t parent);

/// accept4(2) with SOCK_CLOEXEC, but EINTR is returned, not retried, so that the caller
/// can look at its stop flag. `host` (at least 46 bytes, INET6_ADDRSTRLEN) receives the
/// peer's numeric address and `*out_port` its port. EINVAL once the listener has been
/// shut down (pc_listener_stop_accepting).
int pc_worker_accept(int listen_fd, int *out_fd, char *host, size_t host_capacity, int *out_port);

/// shutdown(2) of a listening socket: every accept blocked on it, in every process that
/// shares it, returns EINVAL at once, and new connections are refused. The descriptor
/// stays open (close it as usual).
int pc_listener_stop_accepting(int listen_fd);

/// The read and write system calls made so far by `pid` and by the processes it started,
/// for telling a worker that works from one that is stuck: syscr + syscw of /proc/PID/io
/// of the process and of its descendants (the program a worker runs for a connection, and
/// that program's children: live ones as they go, reaped ones as the kernel adds them to
/// their parent's). Reading another process's io needs the right to trace it, which a
/// parent and a grandparent have over their descendants.
int pc_worker_io_calls(pid_t pid, uint64_t *out_io_calls);

/// Whether `pid` or one of its descendants waits for the client on the connection whose
/// socket has inode `connection_inode` (pc_descriptor_inode): asleep (/proc/PID/stat) in a
/// read or write system call on that socket (read, readv, recvfrom, recvmsg, write, writev,
/// sendto, sendmsg), or in poll, ppoll, select, pselect6 or epoll_wait with that socket
/// among what it waits for (/proc/PID/syscall, the poll set or descriptor sets read with
/// process_vm_readv, the epoll set from /proc/PID/fdinfo). A process running, stopped or
/// asleep in anything else does not. One asleep whose system call cannot be read (a
/// program that made itself not dumpable) is given the benefit of the doubt.
int pc_worker_waits_for_client(pid_t pid, uint64_t connection_inode, bool *out_waiting);

/// The inode number of the file `fd` refers to (fstat): for a socket, the number in the
/// "socket:[N]" that /proc/PID/fd/M links to.
int pc_descriptor_inode(int fd, uint64_t *out_inode);

/// Makes `pid` (0: the calling process) the leader of a process group of its own, whose
/// id is its pid (setpgid(pid, pid)). A prefork worker's group holds the worker and
/// everything it starts for a connection (its program and the program's own children),
/// so that they end together (pc_kill_worker_group). Both the worker and its master call
/// it, so that the group exists as soon as either returns.
int pc_worker_lead_group(pid_t pid);

/// SIGKILLs the process group that the child `pid` leads (pc_worker_lead_group), then the
/// child itself through `pidfd` (or kill(2) when -1, as pc_signal_child does). Safe
/// against pid reuse as long as the caller has not reaped `pid`: until then the kernel
/// keeps the pid reserved, so no other process can lead a group of that id, and the group
/// signalled is the worker's own, even when the worker has already exited (a zombie still
/// holds its pid) and its program lives on. ESRCH when nothing was left to signal.
int pc_kill_worker_group(pid_t pid, int pidfd);

/// One worker's slot on the scoreboard, a page of memory shared by the master and its
/// workers: one cache line each, written by the worker (and by the master when it
/// hands the slot out), read by the master. Fields are read and written whole and
/// atomically through the functions below.
typedef struct pc_worker_slot {
    int32_t pid;
    uint32_t state;
    uint64_t served;
    /// The connections after which the worker recycles itself; 0: no limit.
    uint64_t budget;
    /// CLOCK_MONOTONIC nanoseconds of the last change of state.
    int64_t progress_ns;
    /// The inode of the connection's socket while busy (pc_descriptor_inode); 0: unknown.
    uint64_t connection_inode;
    char reserved[24];
} pc_worker_slot;

static inline uint32_t pc_slot_state(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
}
static inline uint64_t pc_slot_served(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->served, __ATOMIC_RELAXED);
}
static inline int64_t pc_slot_progress_ns(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->progress_ns, __ATOMIC_RELAXED);
}
static inline uint64_t pc_slot_budget(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->budget, __ATOMIC_RELAXED);
}
static inline int32_t pc_slot_pid(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->pid, __ATOMIC_RELAXED);
}
static inline uint64_t pc_slot_connection(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->connection_inode, __ATOMIC_RELAXED);
}
/// Records the connection a worker takes (before it records itself busy, which publishes it).
static inline void pc_slot_set_connection(pc_worker_slot *slot, uint64_t inode) {
    __atomic_store_n(&slot->connection_inode, inode, __ATOMIC_RELAXED);
}
/// Records a change of state, its time and the count served so far (state last, so a
/// reader that sees the state sees the rest).
static inline void pc_slot_record(pc_worker_slot *slot, uint32_t state, uint64_t served, int64_t now_ns) {
    __atomic_store_n(&slot->served, served, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->progress_ns, now_ns, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->state, state, __ATOMIC_RELEASE);
}
/// Hands a slot to a worker about to be forked (the master) or to its pid once known.
static inline void pc_slot_assign(pc_worker_slot *slot, int32_t pid, uint64_t budget) {
    __atomic_store_n(&slot->pid, pid, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->budget, budget, __ATOMIC_RELAXED);
}

#endif
