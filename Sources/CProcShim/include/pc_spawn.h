#ifndef PC_SPAWN_H
#define PC_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The exec family: starting programs, with no Swift code between fork and exec.
 */

/// Options for pc_spawn. Zero-initialised means: inherit everything.
typedef struct pc_spawn_options {
    /// The working directory of the child, or NULL for the parent's.
    const char *working_directory;
    /// The environment as NULL-terminated "NAME=value" strings, or NULL for the parent's.
    char *const *environment;
    /// Look `path` up in PATH when it has no slash (as execvp does).
    bool search_path;
    /// Descriptors to become the child's 0, 1 and 2; -1 inherits the parent's.
    int stdin_fd, stdout_fd, stderr_fd;
    /// Start the child in a process group of its own (POSIX_SPAWN_SETPGROUP), so that
    /// signals a terminal sends to the parent's group (Ctrl-C, SIGHUP) do not reach it.
    bool new_process_group;
} pc_spawn_options;

/// Sets every field of `options` to "inherit". Cannot fail.
void pc_spawn_options_init(pc_spawn_options *options);

/// Starts an external program with posix_spawn(3); no Swift code runs in the child.
///
/// In the child every descriptor above 2 is closed, the signal mask is cleared and
/// every signal's disposition is reset to the default. A program that cannot be
/// executed is reported as the errno of the failed exec (ENOENT, EACCES, ENOEXEC...),
/// not as a child that exits with 127. `argv` and `environment` are NULL-terminated.
int pc_spawn(const char *path, char *const argv[], const pc_spawn_options *options, pid_t *out_pid);

/// The first descriptor systemd passes to a socket-activated service (SD_LISTEN_FDS_START),
/// where pc_spawn_with_listener puts the listener.
#define PC_LISTEN_FDS_START 3

/// The descriptor a program started by pc_spawn_with_listener finds its ready pipe on.
#define PC_SPAWN_READY_FD 4

/// Starts a program that takes over a listening socket, passed the systemd way (a binary
/// upgrade's new master): LISTEN_PID must be the new process's own pid, which only the
/// child knows, so the child is forked and exec'd here. Forks; the child makes
/// `listen_fd` its descriptor PC_LISTEN_FDS_START and `ready_fd` its descriptor
/// PC_SPAWN_READY_FD (both inherited across the exec; every other close-on-exec
/// descriptor closes there), clears its signal mask, resets every signal to its default,
/// adds `LISTEN_PID=<its own pid>` to `environment` (`count` strings "NAME=value", which
/// should hold LISTEN_FDS=1 and no LISTEN_PID) and execs `path` with `argv`
/// (NULL-terminated). Signals are blocked in the parent around the fork, so that none runs
/// the parent's handlers in the child. An exec that fails is reported as its errno
/// (ENOENT, EACCES, ENOEXEC...) and the child is reaped; on success `*out_pid` is the
/// new process's pid.
int pc_spawn_with_listener(const char *path, char *const argv[], char *const environment[], size_t count,
                           int listen_fd, int ready_fd, pid_t *out_pid);

#endif
