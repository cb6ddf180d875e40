#define _GNU_SOURCE
#include "pc_sync.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

int pc_mutex_init_shared(pthread_mutex_t *mutex, bool recursive) {
    pthread_mutexattr_t attributes;
    int rc = pthread_mutexattr_init(&attributes);
    if (rc != 0) return rc;
    if ((rc = pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST)) == 0 &&
        (rc = pthread_mutexattr_settype(&attributes, recursive ? PTHREAD_MUTEX_RECURSIVE
                                                               : PTHREAD_MUTEX_ERRORCHECK)) == 0)
        rc = pthread_mutex_init(mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    return rc;
}

/* EOWNERDEAD: the caller holds the mutex now, but it stays unusable for everyone
   (ENOTRECOVERABLE once unlocked) unless it is marked consistent first. */
static int recovered(pthread_mutex_t *mutex, int rc, bool *out_owner_died) {
    if (rc == EOWNERDEAD) {
        rc = pthread_mutex_consistent(mutex);
        if (rc == 0) *out_owner_died = true;
        return rc;
    }
    if (rc == 0) *out_owner_died = false;
    return rc;
}

int pc_mutex_lock(pthread_mutex_t *mutex, const struct timespec *deadline, bool *out_owner_died) {
    /* Neither call returns EINTR (a signal handler runs and the wait resumes). */
    int rc = deadline == NULL ? pthread_mutex_lock(mutex)
                              : pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, deadline);
    return recovered(mutex, rc, out_owner_died);
}

int pc_mutex_try_lock(pthread_mutex_t *mutex, bool *out_owner_died) {
    return recovered(mutex, pthread_mutex_trylock(mutex), out_owner_died);
}

int pc_mutex_unlock(pthread_mutex_t *mutex) {
    return pthread_mutex_unlock(mutex);
}

int pc_mutex_release_if_held(pthread_mutex_t *mutex) {
    pid_t self = gettid();
    /* A recursive mutex counts its levels in __count; bounded all the same. */
    for (unsigned level = 0; level <= UINT32_MAX / 2 && mutex->__data.__owner == self; level++) {
        int rc = pthread_mutex_unlock(mutex);
        if (rc != 0) return rc;
    }
    return 0;
}

bool pc_mutex_is_held(const pthread_mutex_t *mutex) {
    return mutex->__data.__owner == gettid();
}

int pc_condition_wait(uint32_t *sequence, pthread_mutex_t *mutex,
                      const struct timespec *deadline, bool *out_owner_died) {
    /* Read with the mutex held: a waker that changes the state under the mutex bumps
       the sequence after, so a wake-up between the unlock and the wait is not lost
       (the futex wait returns EAGAIN at once when the word changed). */
    uint32_t seen = __atomic_load_n(sequence, __ATOMIC_SEQ_CST);
    int rc = pthread_mutex_unlock(mutex);
    if (rc != 0) return rc;
    /* FUTEX_WAIT_BITSET: an absolute deadline, on CLOCK_MONOTONIC. Not _PRIVATE: the
       word is shared by processes. EINTR and EAGAIN are wake-ups like any other. */
    long waited = syscall(SYS_futex, sequence, FUTEX_WAIT_BITSET, seen, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    int wait_error = waited == -1 ? errno : 0;
    rc = pc_mutex_lock(mutex, NULL, out_owner_died);
    if (rc != 0) return rc;
    if (*out_owner_died) return 0;
    return wait_error == ETIMEDOUT ? ETIMEDOUT : 0;
}

static int wake(uint32_t *sequence, int count) {
    __atomic_fetch_add(sequence, 1, __ATOMIC_SEQ_CST);
    if (syscall(SYS_futex, sequence, FUTEX_WAKE, count, NULL, NULL, 0) == -1) return errno;
    return 0;
}

int pc_condition_signal(uint32_t *sequence) {
    return wake(sequence, 1);
}

int pc_condition_broadcast(uint32_t *sequence) {
    return wake(sequence, INT_MAX);
}

void pc_pool_slot_store(pc_pool_slot *slot, int64_t task, int64_t started_ns) {
    __atomic_store_n(&slot->started_ns, started_ns, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->task, task, __ATOMIC_RELEASE);
}

void pc_pool_slot_load(const pc_pool_slot *slot, int64_t *out_task, int64_t *out_started_ns) {
    *out_task = __atomic_load_n(&slot->task, __ATOMIC_ACQUIRE);
    *out_started_ns = __atomic_load_n(&slot->started_ns, __ATOMIC_RELAXED);
}
