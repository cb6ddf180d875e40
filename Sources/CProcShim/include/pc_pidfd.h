#ifndef PC_PIDFD_H
#define PC_PIDFD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The pidfd family: signalling children and waiting for them to end through a pidfd,
 * which refers to the process itself, never to another that reused its pid; with the
 * pid as the fallback where there is none, safe only until the child is reaped.
 */

/// pidfd_open(2): a descriptor that refers to the process `pid` itself, so that a
/// signal sent through it can never reach another process that reused the pid.
/// Returns ENOSYS where the kernel has no pidfd; callers then fall back to pids.
int pc_pidfd_open(pid_t pid, int *out_pidfd);

/// pidfd_open(2) for a child of the caller that the caller has not reaped, opened when it
/// is first needed rather than at the fork (a pidfd costs about 11 µs to open and close,
/// which every short-lived child would pay): until the caller reaps `pid`, the kernel keeps
/// the pid reserved, so the pidfd refers to that child. Checked all the same with
/// waitid(P_PIDFD, WNOWAIT): a pid that something else reaped (SIGCHLD ignored, a stray
/// waitpid(-1)) and the kernel gave to a process that is not the caller's child gives
/// ESRCH, as an ended child would, instead of a pidfd for that stranger. ENOSYS where the
/// kernel has no pidfd.
int pc_pidfd_open_child(pid_t pid, int *out_pidfd);

/// pidfd_send_signal(2). Returns ESRCH once the process has ended.
int pc_pidfd_send_signal(int pidfd, int signal);

/// Sends `signal` to a child through `pidfd`, or with kill(2) to `pid` when `pidfd` is
/// -1. The fallback is safe only while the child has not been reaped: until then the
/// kernel keeps its pid reserved.
int pc_signal_child(pid_t pid, int pidfd, int signal);

/// Waits up to `timeout_ms` milliseconds (-1: for ever) for a child to end, without
/// reaping it. Polls `pidfd` when it is not -1; otherwise checks `pid` with
/// pc_has_ended at a short, growing interval. `*out_ended` tells whether it ended.
int pc_wait_ended(pid_t pid, int pidfd, int timeout_ms, bool *out_ended);

/// SIGKILLs the process group that the child `pid` leads (pc_lead_process_group), then
/// the child itself through `pidfd` (or kill(2) when -1, as pc_signal_child does). Safe
/// against pid reuse as long as the caller has not reaped `pid`: until then the kernel
/// keeps the pid reserved, so no other process can lead a group of that id, and the group
/// signalled is the child's own, even when the child has already exited (a zombie still
/// holds its pid) and what it started lives on. ESRCH when nothing was left to signal.
int pc_kill_process_group(pid_t pid, int pidfd);

#endif
