#ifndef CPROCSHIM_H
#define CPROCSHIM_H

/*
 * CProcShim: small C functions over Linux system calls, one header per family.
 *
 * Conventions, for every function here unless its comment says otherwise:
 * - it returns 0 on success or an errno value on failure, and never sets errno
 *   for the caller to read;
 * - results come back through out-parameters, written only on success;
 * - a system call interrupted by a signal (EINTR) is retried;
 * - every descriptor it creates is close-on-exec.
 *
 * The package is Linux-only, declared here once: the shim is built on epoll, pidfd,
 * memfd, prctl, futex and /proc, which no other system has in this form.
 */
#if !defined(__linux__)
#error "procctl and ProcCore run on Linux only: CProcShim uses epoll, pidfd, memfd, prctl, futex and /proc."
#endif

#include "pc_process.h"      /* fork, exit, wait, what a child inherits, process groups */
#include "pc_spawn.h"        /* exec: posix_spawn, a program handed a listener */
#include "pc_pidfd.h"        /* signalling children and waiting for them through pidfds */
#include "pc_signals.h"      /* the signal pipe, SIGPIPE, the stop flag */
#include "pc_descriptors.h"  /* reads, writes, pipes, descriptor flags, log output */
#include "pc_poll.h"         /* poll, epoll, eventfd */
#include "pc_socket.h"       /* TCP: listen, accept, connect, addresses, options */
#include "pc_unix_socket.h"  /* AF_UNIX: pairs, paths, SCM_RIGHTS, sd_notify */
#include "pc_proc.h"         /* /proc: descriptors, threads, executable, io, waits */
#include "pc_memory.h"       /* shared, parent-only, memfd and named memory */
#include "pc_sync.h"         /* process-shared mutexes, futex conditions, slots */
#include "pc_clock.h"        /* CLOCK_MONOTONIC and deadlines */

#endif
