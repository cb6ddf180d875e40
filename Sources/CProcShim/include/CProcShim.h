#ifndef CPROCSHIM_H
#define CPROCSHIM_H

/*
 * CProcShim: small C functions over fork, exec, wait, pidfd, signals, sockets and memory.
 *
 * Conventions, for every function here unless its comment says otherwise:
 * - it returns 0 on success or an errno value on failure, and never sets errno
 *   for the caller to read;
 * - results come back through out-parameters, written only on success;
 * - a system call interrupted by a signal (EINTR) is retried;
 * - every descriptor it creates is close-on-exec.
 */

#include "pc_process.h"
#include "pc_pidfd.h"
#include "pc_signals.h"
#include "pc_socket.h"
#include "pc_io.h"
#include "pc_memory.h"
#include "pc_systemd.h"
#include "pc_sync.h"
#include "pc_process_context.h"
#include "pc_worker.h"
#include "pc_upgrade.h"
#include "pc_ipc.h"
#include "pc_epoll.h"
#include "pc_fd_passing.h"
#include "pc_pool_slot.h"
#include "pc_log_output.h"
#include "pc_unix_socket.h"
#include "pc_named_memory.h"

#endif
