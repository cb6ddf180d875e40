#define _GNU_SOURCE
#include "pc_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define PC_HAVE_SINGLE_THREADED 1
#endif
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* pc_signals.c: the child has no use for the signal pipe once its handlers are reset. */
void pc_signal_pipe_close_in_child(void);
/* pc_signals.c: whether this process routes signals to the pipe. */
bool pc_signal_pipe_is_open(void);

static void pc_decode_status(int status, pc_exit_status *out) {
    memset(out, 0, sizeof *out);
    if (WIFEXITED(status)) {
        out->exited = true;
        out->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out->signaled = true;
        out->signal = WTERMSIG(status);
    }
}

/* Whether pc_fork's children reset every signal (the default), or only those in
   pc_changed_signals: bit (sig - 1) for signal sig. */
static bool pc_reset_only_changed = false;
static unsigned long long pc_changed_signals = 0;

int pc_fork_reset_changed_signals_only(void) {
    unsigned long long changed = 0;
    for (int sig = 1; sig < NSIG && sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction current;
        if (sigaction(sig, NULL, &current) < 0) {
            if (errno == EINVAL) continue; /* glibc's reserved signals */
            return errno;
        }
        bool is_default = !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL;
        if (!is_default) changed |= 1ULL << (sig - 1);
    }
    pc_changed_signals = changed;
    pc_reset_only_changed = true;
    return 0;
}

void pc_fork_reset_every_signal(void) {
    pc_reset_only_changed = false;
}

/* pc_signals.c: a disposition the shim sets is reset in children in either mode. */
void pc_fork_note_changed_signal(int sig) {
    if (sig >= 1 && sig <= 64) pc_changed_signals |= 1ULL << (sig - 1);
}

/* The Swift runtime's throw hooks: function pointers that a test framework or debugger of
   the parent sets to record every throw (Swift Testing takes a backtrace there). Weak, so
   a program without the Swift runtime links too. */
extern void *_swift_willThrow __attribute__((weak));
extern void *_swift_willThrowTypedImpl __attribute__((weak));

/* In the child: the hooks belong to the parent's threads. A hook that takes a lock another
   thread of the parent held at the fork would hang the child at its first throw.
   Written only when set: every page a child writes is copied, and outside a test runner
   or debugger the hooks are NULL. */
static void pc_clear_swift_throw_hooks_in_child(void) {
    if (&_swift_willThrow != NULL && __atomic_load_n(&_swift_willThrow, __ATOMIC_RELAXED) != NULL)
        __atomic_store_n(&_swift_willThrow, NULL, __ATOMIC_RELAXED);
    if (&_swift_willThrowTypedImpl != NULL && __atomic_load_n(&_swift_willThrowTypedImpl, __ATOMIC_RELAXED) != NULL)
        __atomic_store_n(&_swift_willThrowTypedImpl, NULL, __ATOMIC_RELAXED);
}

/* Runs in the child between fork and the caller's code: async-signal-safe calls only. */
static void pc_reset_signals_in_child(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (pc_reset_only_changed && (sig > 64 || !(pc_changed_signals & (1ULL << (sig - 1))))) continue;
        (void)sigaction(sig, &dfl, NULL); /* EINVAL for glibc's reserved signals: fine */
    }
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

int pc_fork(pid_t *out_pid) {
    fflush(NULL);
    /* A signal that reached the child before its handlers are reset would run the
       parent's signal-pipe handler there, which writes to the pipe the parent shares: the
       parent would act on a signal meant for the child (a server's SIGTERM to a worker it
       has just forked, read as a SIGTERM to the server). Blocked across the fork, such a
       signal waits in the child until the reset and then acts with its default. */
    bool guard = pc_signal_pipe_is_open();
    sigset_t all, saved;
    if (guard) {
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
    }
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid == 0) {
        pc_reset_signals_in_child(); /* clears the mask, after the handlers */
        pc_signal_pipe_close_in_child();
        pc_clear_swift_throw_hooks_in_child();
    } else if (guard) {
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
    }
    if (pid < 0) return fork_errno;
    *out_pid = pid;
    return 0;
}

void pc_child_exit(int code) {
    fflush(NULL);
    _exit(code);
}

void pc_spawn_options_init(pc_spawn_options *options) {
    memset(options, 0, sizeof *options);
    options->stdin_fd = -1;
    options->stdout_fd = -1;
    options->stderr_fd = -1;
}

int pc_spawn(const char *path, char *const argv[], const pc_spawn_options *options, pid_t *out_pid) {
    pc_spawn_options inherit;
    if (options == NULL) {
        pc_spawn_options_init(&inherit);
        options = &inherit;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    const int wanted[3] = {options->stdin_fd, options->stdout_fd, options->stderr_fd};
    for (int target = 0; target < 3 && rc == 0; target++) {
        /* dup2 onto itself would keep close-on-exec set; glibc clears it for that case. */
        if (wanted[target] >= 0) rc = posix_spawn_file_actions_adddup2(&actions, wanted[target], target);
    }
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0 && options->working_directory != NULL)
        rc = posix_spawn_file_actions_addchdir_np(&actions, options->working_directory);

    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &none);
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (options->new_process_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        if (rc == 0) rc = posix_spawnattr_setpgroup(&attr, 0);
    }
    if (rc == 0) rc = posix_spawnattr_setflags(&attr, flags);

    if (rc == 0) {
        char *const *env = options->environment != NULL ? options->environment : environ;
        pid_t pid = 0;
        /* glibc's posix_spawn runs the child on a vfork-like clone and returns the
           exec's errno when the exec fails, so no child is left to reap then. */
        rc = options->search_path ? posix_spawnp(&pid, path, &actions, &attr, argv, env)
                                  : posix_spawn(&pid, path, &actions, &attr, argv, env);
        if (rc == 0) *out_pid = pid;
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int pc_wait(pid_t pid, pc_exit_status *out_status) {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return errno;
    pc_decode_status(status, out_status);
    return 0;
}

int pc_try_wait(pid_t pid, bool *out_ended, pc_exit_status *out_status) {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return errno;
    *out_ended = (r == pid);
    if (r == pid) pc_decode_status(status, out_status);
    return 0;
}

int pc_has_ended(pid_t pid, bool *out_ended) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int r;
    do {
        r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return errno;
    *out_ended = (info.si_pid == pid);
    return 0;
}

int pc_thread_count(int *out_count) {
    /* The entries of /proc/self/task, listed with getdents64 into the stack: three system
       calls and no heap page written (opendir allocates a 32 KiB buffer). It runs before
       every fork, whose cost grows with every page the parent writes around it. */
    int fd;
    do {
        fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno;
    char entries[2048] __attribute__((aligned(8)));
    int count = 0;
    for (;;) {
        long length = syscall(SYS_getdents64, fd, entries, sizeof entries);
        if (length < 0 && errno == EINTR) continue;
        if (length < 0) {
            int rc = errno;
            close(fd);
            return rc;
        }
        if (length == 0) break;
        for (long offset = 0; offset < length;) {
            const struct dirent64 *entry = (const struct dirent64 *)(entries + offset);
            if (entry->d_name[0] != '.') count++;
            offset += entry->d_reclen;
        }
    }
    close(fd);
    *out_count = count;
    return 0;
}

bool pc_known_single_threaded(void) {
#ifdef PC_HAVE_SINGLE_THREADED
    return __libc_single_threaded != 0;
#else
    return false;
#endif
}
