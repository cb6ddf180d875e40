#ifndef PC_UPGRADE_H
#define PC_UPGRADE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * What a binary upgrade needs from C: the new master is started with its listener passed
 * the systemd way, and LISTEN_PID must be the new process's own pid, which only the child
 * knows; so the child is forked and exec'd here, with no Swift code in between.
 */

/// The descriptor the new master finds its ready pipe on (its listener is at
/// PC_LISTEN_FDS_START, 3).
#define PC_UPGRADE_READY_FD 4

/// Starts the new master of a binary upgrade. Forks; the child makes `listen_fd` its
/// descriptor 3 and `ready_fd` its descriptor 4 (both inherited across the exec; every
/// other close-on-exec descriptor closes there), clears its signal mask, resets every
/// signal to its default, adds `LISTEN_PID=<its own pid>` to `environment` (`count`
/// strings "NAME=value", which should hold LISTEN_FDS=1 and no LISTEN_PID) and execs
/// `path` with `argv` (NULL-terminated). Signals are blocked in the parent around the
/// fork, so that none runs the parent's handlers in the child. An exec that fails is
/// reported as its errno (ENOENT, EACCES, ENOEXEC...) and the child is reaped; on
/// success `*out_pid` is the new master's pid.
int pc_upgrade_exec(const char *path, char *const argv[], char *const environment[], size_t count,
                    int listen_fd, int ready_fd, pid_t *out_pid);

/// Sets FD_CLOEXEC on `fd`: EBADF when it is not open.
int pc_set_close_on_exec(int fd);

/// The path of the running executable as the kernel names it (/proc/self/exe's link),
/// with the " (deleted)" the kernel appends once the file was replaced or removed cut
/// off, so that the path names whatever file is there now. ENAMETOOLONG when it does
/// not fit in `capacity` bytes with its NUL.
int pc_executable_path(char *buffer, size_t capacity);

#endif
