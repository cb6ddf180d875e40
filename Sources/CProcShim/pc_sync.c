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

void pc_pool_slot_cancel(pc_pool_slot *slot, int64_t first, int64_t end) {
    uint64_t sequence = __atomic_load_n(&slot->cancel_sequence, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->cancel_sequence, sequence + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    int64_t *range = slot->cancelled[(sequence / 2) % PC_POOL_SLOT_CANCELLED];
    __atomic_store_n(&range[0], first, __ATOMIC_RELAXED);
    __atomic_store_n(&range[1], end, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->cancel_sequence, sequence + 2, __ATOMIC_RELEASE);
}

bool pc_pool_slot_is_cancelled(const pc_pool_slot *slot, int64_t task) {
    /* A write takes a few stores: a thousand tries outlast one, and bound the wait when
       the writer died in the middle of one. */
    for (int attempt = 0; attempt < 1000; attempt++) {
        uint64_t before = __atomic_load_n(&slot->cancel_sequence, __ATOMIC_ACQUIRE);
        if (before == 0) return false; /* never cancelled: the common case, one load */
        if (before & 1) continue;
        bool found = false;
        for (int i = 0; i < PC_POOL_SLOT_CANCELLED; i++) {
            int64_t first = __atomic_load_n(&slot->cancelled[i][0], __ATOMIC_RELAXED);
            int64_t end = __atomic_load_n(&slot->cancelled[i][1], __ATOMIC_RELAXED);
            if (task >= first && task < end) found = true;
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&slot->cancel_sequence, __ATOMIC_RELAXED) == before) return found;
    }
    return false;
}
