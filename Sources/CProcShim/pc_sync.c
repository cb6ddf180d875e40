#define _GNU_SOURCE
#include "pc_sync.h"

#include <errno.h>
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

int pc_condition_init_shared(pthread_cond_t *condition) {
    pthread_condattr_t attributes;
    int rc = pthread_condattr_init(&attributes);
    if (rc != 0) return rc;
    if ((rc = pthread_condattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)) == 0)
        rc = pthread_cond_init(condition, &attributes);
    pthread_condattr_destroy(&attributes);
    return rc;
}

int pc_condition_wait(pthread_cond_t *condition, pthread_mutex_t *mutex,
                      const struct timespec *deadline, bool *out_owner_died) {
    int rc = deadline == NULL ? pthread_cond_wait(condition, mutex)
                              : pthread_cond_timedwait(condition, mutex, deadline);
    if (rc == ETIMEDOUT) {
        *out_owner_died = false;
        return ETIMEDOUT;
    }
    return recovered(mutex, rc, out_owner_died);
}

int pc_condition_signal(pthread_cond_t *condition) {
    return pthread_cond_signal(condition);
}

int pc_condition_broadcast(pthread_cond_t *condition) {
    return pthread_cond_broadcast(condition);
}

int pc_deadline_after(int64_t nanoseconds, struct timespec *out_deadline) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return errno;
    if (nanoseconds < 0) nanoseconds = 0;
    int64_t seconds = nanoseconds / 1000000000;
    long fraction = now.tv_nsec + (long)(nanoseconds % 1000000000);
    if (fraction >= 1000000000) {
        fraction -= 1000000000;
        seconds += 1;
    }
    if (seconds > INT64_MAX - now.tv_sec) {
        out_deadline->tv_sec = INT64_MAX;
        out_deadline->tv_nsec = 999999999;
        return 0;
    }
    out_deadline->tv_sec = now.tv_sec + seconds;
    out_deadline->tv_nsec = fraction;
    return 0;
}
