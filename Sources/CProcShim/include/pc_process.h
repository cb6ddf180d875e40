#ifndef PC_PROCESS_H
#define PC_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

/// How a child ended, decoded from a wait status (Swift cannot import the W* macros).
typedef struct pc_exit_status {
    /// true when the child called exit or _exit; `code` is then its exit code.
    bool exited;
    /// The exit code (0-255) when `exited`.
    int code;
    /// true when a signal ended the child; `signal` is then its number.
    bool signaled;
    /// The number of the signal that ended the child when `signaled`.
    int signal;
} pc_exit_status;

/// fork(2), made safe to use from Swift.
///
/// Flushes every stdio stream first (otherwise a line still buffered in the parent
/// is printed twice when stdout is a pipe). In the child it unblocks every signal
/// (a thread that forks may block some: Dispatch's and the test runner's workers
/// block SIGTERM, and a child forked from one would ignore terminate()), resets
/// every signal's disposition to the default and then ignores SIGPIPE, so that a
/// write to a closed pipe or socket returns EPIPE instead of killing the child. It also
/// clears the Swift runtime's willThrow hooks, which a test framework of the parent may
/// have set and which take locks another thread may have held at the fork.
/// `*out_pid` is the child's pid in the parent and 0 in the child.
int pc_fork(pid_t *out_pid);

/// Makes the children of later pc_fork calls reset only the signals whose disposition
/// is not the default now, instead of all 62 (about 15 µs of every child's time in
/// sigaction calls: a fork-per-connection server's children pay it per connection).
///
/// The dispositions are read once, here (one sigaction query per signal). Call it once
/// the process has set the dispositions it will keep, as a server does before its
/// loop: a handler or SIG_IGN set later by other code would survive in the children,
/// except for signals set through this shim (pc_signal_pipe_install,
/// pc_ignore_sigpipe), which are added as they are set. The mask is still cleared and
/// SIGPIPE ignored in every child. Returns 0, or the errno of a failed query.
int pc_fork_reset_changed_signals_only(void);

/// Goes back to resetting every signal in pc_fork's children (the default).
void pc_fork_reset_every_signal(void);

/// Leaves a forked child: flushes every stdio stream, then _exit(2)s with `code`.
/// Never returns; atexit handlers of the parent's image are not run.
__attribute__((noreturn)) void pc_child_exit(int code);

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

/// Sets every field of `options` to "inherit".
void pc_spawn_options_init(pc_spawn_options *options);

/// Starts an external program with posix_spawn(3); no Swift code runs in the child.
///
/// In the child every descriptor above 2 is closed, the signal mask is cleared and
/// every signal's disposition is reset to the default. A program that cannot be
/// executed is reported as the errno of the failed exec (ENOENT, EACCES, ENOEXEC...),
/// not as a child that exits with 127. `argv` and `environment` are NULL-terminated.
int pc_spawn(const char *path, char *const argv[], const pc_spawn_options *options, pid_t *out_pid);

/// waitpid(2) for one child: blocks until `pid` ends and reaps it.
int pc_wait(pid_t pid, pc_exit_status *out_status);

/// waitpid(2) with WNOHANG: reaps `pid` if it has ended. `*out_ended` tells whether it
/// had; `*out_status` is written only then.
int pc_try_wait(pid_t pid, bool *out_ended, pc_exit_status *out_status);

/// waitid(2) with WNOWAIT|WNOHANG: tells whether `pid` has ended without reaping it,
/// so its pid stays reserved and a later wait still sees its status.
int pc_has_ended(pid_t pid, bool *out_ended);

/// The number of threads of the calling process (the entries of /proc/self/task).
int pc_thread_count(int *out_count);

/// Whether the process is known to run one thread only, without a system call: glibc's
/// `__libc_single_threaded`, which becomes false when a second thread is created.
/// false means "maybe more than one" (ask pc_thread_count), never "certainly several".
/// Returns a bool, not an errno: it cannot fail.
bool pc_known_single_threaded(void);

#endif
