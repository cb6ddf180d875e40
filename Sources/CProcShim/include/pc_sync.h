#ifndef PC_SYNC_H
#define PC_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * Synchronization between processes: pthread mutexes set up to live in memory shared by
 * processes (pc_map_shared), and a futex condition variable, with waits on CLOCK_MONOTONIC.
 *
 * The mutexes are process-shared and robust: when the process (or thread) that holds one
 * dies, the kernel marks it, and the next locker gets it with `*out_owner_died` set to true,
 * after this shim has made it consistent again (pthread_mutex_consistent), instead of
 * waiting for ever. What the mutex guarded may then be half-updated; the caller decides.
 *
 * A deadline is an absolute CLOCK_MONOTONIC time (pc_deadline_after); NULL waits for ever.
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

/// The CLOCK_MONOTONIC time `nanoseconds` from now (0 or less: now), for the waits above.
/// Saturates instead of overflowing.
int pc_deadline_after(int64_t nanoseconds, struct timespec *out_deadline);

#endif
