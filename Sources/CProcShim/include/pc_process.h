#ifndef PC_PROCESS_H
#define PC_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The process family: fork, exit and wait; what a forked child inherits; process groups
 * and the parent's death. Starting programs (exec) is pc_spawn.h; signalling children
 * and waiting on them through pidfds is pc_pidfd.h.
 */

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
/// write to a closed pipe or socket returns EPIPE instead of killing the child; the
/// shim's other families undo what they set up there too (the signal pipe of
/// pc_signal_pipe_install is closed). It also clears the Swift runtime's willThrow hooks,
/// which a test framework of the parent may have set and which take locks another thread
/// may have held at the fork. In a process that has only ever run one thread, the fork is
/// glibc's _Fork: the pthread_atfork handlers of other libraries do not run (they exist
/// for the locks and state of other threads, and such a process has none); with more
/// threads it is fork(), handlers and all. `*out_pid` is the child's pid in the parent
/// and 0 in the child.
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

/// waitpid(2) for one child: blocks until `pid` ends and reaps it.
int pc_wait(pid_t pid, pc_exit_status *out_status);

/// waitpid(2) with WNOHANG: reaps `pid` if it has ended. `*out_ended` tells whether it
/// had; `*out_status` is written only then.
int pc_try_wait(pid_t pid, bool *out_ended, pc_exit_status *out_status);

/// waitid(2) with WNOWAIT|WNOHANG: tells whether `pid` has ended without reaping it,
/// so its pid stays reserved and a later wait still sees its status.
int pc_has_ended(pid_t pid, bool *out_ended);

/// Whether the process is known to run one thread only, without a system call: glibc's
/// `__libc_single_threaded`, which becomes false when a second thread is created.
/// false means "maybe more than one" (ask pc_thread_count), never "certainly several".
/// Returns a bool, not an errno: it cannot fail.
bool pc_known_single_threaded(void);

/// Two pointers of the calling thread, for ChildProcess.current and .parent: the handle
/// the process runs for and the one its parent ran for (NULL: the main process).
///
/// Thread-local, so that a thread sets them just before it forks and the child (a copy of
/// that thread) finds them there, without writing a page of its own for them: the
/// thread-local block sits by the thread's descriptor, which glibc's fork writes in the
/// child anyway. The forking thread puts its old values back after the fork.
typedef struct pc_process_context {
    void *current;
    void *parent;
} pc_process_context;

/// The calling thread's context ({NULL, NULL} until set). Cannot fail.
pc_process_context pc_process_context_get(void);

/// Sets the calling thread's context. Cannot fail.
void pc_process_context_set(pc_process_context context);

/// Asks the kernel to send `signal` to the calling process when the thread that forked
/// it ends (prctl PR_SET_PDEATHSIG), then checks that its parent is still `parent`:
/// ESRCH when the parent ended before the request took effect.
int pc_die_with_parent(int signal, pid_t parent);

/// Makes `pid` (0: the calling process) the leader of a process group of its own, whose
/// id is its pid (setpgid(pid, pid)). The group holds the process and everything it
/// starts, so that they end together (pc_kill_process_group). A parent and its child may
/// both call it, so that the group exists as soon as either returns.
int pc_lead_process_group(pid_t pid);

/// Keeps the calling thread, and the processes it forks from now on, on one CPU of those
/// it may run on (sched_setaffinity): the one it runs on now. The CPU's number goes to
/// `out_cpu`. For measurements in which a wake-up of another, idle CPU would cost more than
/// what is measured (the benchmarks' round trips on a virtual machine).
int pc_stay_on_current_cpu(int *out_cpu);

#endif
