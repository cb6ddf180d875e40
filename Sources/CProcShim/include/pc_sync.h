#ifndef PC_SYNC_H
#define PC_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * The sync family, between processes: pthread mutexes set up to live in memory shared by
 * processes (pc_map_shared), and a futex condition variable, with waits on CLOCK_MONOTONIC.
 *
 * The mutexes are process-shared and robust: when the process (or thread) that holds one
 * dies, the kernel marks it, and the next locker gets it with `*out_owner_died` set to true,
 * after this shim has made it consistent again (pthread_mutex_consistent), instead of
 * waiting for ever. What the mutex guarded may then be half-updated; the caller decides.
 *
 * A deadline is an absolute CLOCK_MONOTONIC time (pc_deadline_after, pc_clock.h); NULL
 * waits for ever.
 *
 * And slots: records that one process writes and another reads in shared memory, each
 * field one atomic word.
 */

/// Initialises `*mutex` in shared memory: process-shared, robust, and error-checking
/// (unlocking a mutex this thread does not hold is EPERM, relocking it is EDEADLK), or
/// recursive when `recursive` (the holder may lock it again; each lock needs an unlock).
int pc_mutex_init_shared(pthread_mutex_t *mutex, bool recursive);

/// Locks `*mutex`, waiting until `deadline` (NULL: for ever): ETIMEDOUT when it passes.
/// `*out_owner_died` is true when the previous holder died holding it (the mutex is then
/// consistent again and held by the caller), else false.
int pc_mutex_lock(pthread_mutex_t *mutex, const struct timespec *deadline, bool *out_owner_died);

/// Locks `*mutex` if no one holds it: EBUSY when someone does. `*out_owner_died` as for pc_mutex_lock.
int pc_mutex_try_lock(pthread_mutex_t *mutex, bool *out_owner_died);

/// Unlocks `*mutex`: EPERM when the calling thread does not hold it.
int pc_mutex_unlock(pthread_mutex_t *mutex);

/// Unlocks `*mutex` as many times as the calling thread holds it (once, or each level of a
/// recursive mutex); does nothing when it does not hold it. For a mutex about to be
/// unmapped: glibc links the robust mutexes a thread holds through the mutexes themselves,
/// and one unmapped while held leaves that list pointing into unmapped memory (SIGSEGV
/// at the thread's next robust lock).
int pc_mutex_release_if_held(pthread_mutex_t *mutex);

/// Whether the calling thread holds `*mutex` (one of the mutexes above).
bool pc_mutex_is_held(const pthread_mutex_t *mutex);

/// A condition variable for processes: a 32-bit sequence word in shared memory (zeroed
/// memory is a ready one), waited on with futex(2), used with one of the mutexes above.
///
/// Not a pthread_cond_t: glibc's keeps references for the waiters of each group in the
/// shared memory, and a process killed in its wait never drops them, so the next
/// broadcast waits for it for ever (reproduced with glibc 2.36: an event's set() hung
/// after one of its waiters was SIGKILLed). A futex keeps nothing of a waiter in user
/// memory, and the kernel forgets a waiter that dies.
///
/// Waits until the sequence changes (a signal or broadcast), releasing `*mutex` (held by
/// the caller) while it waits, or until `deadline` (NULL: for ever): ETIMEDOUT when it
/// passed. `*mutex` is held again on return in every case but EPERM (not held by the
/// caller); `*out_owner_died` as for pc_mutex_lock (reported, as 0, before a timeout).
/// Wake-ups may be spurious: the caller rechecks its predicate.
int pc_condition_wait(uint32_t *sequence, pthread_mutex_t *mutex,
                      const struct timespec *deadline, bool *out_owner_died);

/// Wakes one waiter of the condition at `*sequence` (any caller; usually with the mutex held).
int pc_condition_signal(uint32_t *sequence);

/// Wakes every waiter of the condition at `*sequence`.
int pc_condition_broadcast(uint32_t *sequence);

/// How many cancelled task ranges a pool slot holds: as many as the chunks a worker is
/// sent ahead (each chunk is part of one caller's range), so none still held is overwritten.
#define PC_POOL_SLOT_CANCELLED 4

/// What a pool worker is doing, in memory it shares with the pool's process: the index
/// of the task it runs (-1 between tasks) and when it started it (CLOCK_MONOTONIC ns).
/// The worker stores, the parent loads; each field is one atomic 64-bit word. And the
/// other way: task ranges [first, end) the parent has cancelled that the worker may hold
/// (sent before the cancellation), which it skips; the parent writes them, in turn, under
/// a sequence count the worker reads them by (odd while a write is under way).
typedef struct pc_pool_slot {
    int64_t task;
    int64_t started_ns;
    uint64_t cancel_sequence;
    int64_t cancelled[PC_POOL_SLOT_CANCELLED][2];
} pc_pool_slot;

/// The worker's side: it now runs `task`, started at `started_ns` (-1: between tasks).
/// The start time is stored first, so that a parent which sees the task sees its time.
void pc_pool_slot_store(pc_pool_slot *slot, int64_t task, int64_t started_ns);

/// The parent's side: the task the worker runs (-1: none) and when it started.
void pc_pool_slot_load(const pc_pool_slot *slot, int64_t *out_task, int64_t *out_started_ns);

/// The parent's side: the worker is to skip the tasks in [first, end) it still holds. The
/// range replaces the oldest of the slot's PC_POOL_SLOT_CANCELLED. One writer: the parent.
void pc_pool_slot_cancel(pc_pool_slot *slot, int64_t first, int64_t end);

/// The worker's side: whether `task` is in a range the parent cancelled. Never blocks: a
/// parent that died in the middle of a write (the count stays odd) reads as no range.
bool pc_pool_slot_is_cancelled(const pc_pool_slot *slot, int64_t task);

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
    /// What the worker does with the listener when it stops (Swift's ListenerDuty), set by the master.
    uint32_t listener_duty;
    char reserved[20];
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
/// What the worker in this slot does with the listener when it stops.
static inline uint32_t pc_slot_listener_duty(const pc_worker_slot *slot) {
    return __atomic_load_n(&slot->listener_duty, __ATOMIC_ACQUIRE);
}
/// Sets it (the master, before it signals the worker, which then sees it).
static inline void pc_slot_set_listener_duty(pc_worker_slot *slot, uint32_t duty) {
    __atomic_store_n(&slot->listener_duty, duty, __ATOMIC_RELEASE);
}
/// Hands a slot to a worker about to be forked (the master) or to its pid once known.
static inline void pc_slot_assign(pc_worker_slot *slot, int32_t pid, uint64_t budget) {
    __atomic_store_n(&slot->pid, pid, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->budget, budget, __ATOMIC_RELAXED);
}

#endif
