#define _GNU_SOURCE
#include "pc_process.h"
#include "pc_fork_hooks.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define PC_HAVE_SINGLE_THREADED 1
#endif
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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

void pc_fork_reset_in_children(int sig) {
    if (sig >= 1 && sig <= 64) pc_changed_signals |= 1ULL << (sig - 1);
}

/* What the other families registered for pc_fork's children (pc_fork_hooks.h). */
static void (*pc_fork_hooks[PC_FORK_HOOKS_MAX])(void);
static int pc_fork_hook_count = 0;

int pc_fork_run_in_children(void (*hook)(void)) {
    for (int i = 0; i < pc_fork_hook_count; i++) {
        if (pc_fork_hooks[i] == hook) return 0;
    }
    if (pc_fork_hook_count == PC_FORK_HOOKS_MAX) return ENOSPC;
    pc_fork_hooks[pc_fork_hook_count] = hook;
    pc_fork_hook_count++;
    return 0;
}

/* glibc's list of open stdio streams (every FILE, linked through _chain), exported by
   glibc although no header declares it. */
extern FILE *_IO_list_all;

/* Whether some stdio stream may hold output not yet written. fflush(NULL) takes the
   lock of the stream list and of every stream even when there is nothing to write, and
   those writes land on pages a fork has just shared: the parent before the fork and the
   child at its exit each copied about three of them per child (page faults counted with
   perf over bench spawn). Walking the list without its lock is safe only while no other
   thread can open or close a stream: with more than one thread, the answer is "maybe". */
static bool pc_stdio_output_may_be_pending(void) {
#ifdef PC_HAVE_SINGLE_THREADED
    if (!__libc_single_threaded) return true;
    for (FILE *stream = _IO_list_all; stream != NULL; stream = stream->_chain) {
        /* A wide-oriented stream keeps its output elsewhere (_wide_data): assume some. */
        if (stream->_mode > 0 || stream->_IO_write_ptr > stream->_IO_write_base) return true;
    }
    return false;
#else
    return true;
#endif
}

/* fflush(NULL), but only when a stream has something to write (see above). */
static void pc_flush_stdio(void) {
    if (pc_stdio_output_may_be_pending()) fflush(NULL);
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

/* A system call with up to four arguments, made inline: libc's syscall() sits on a code
   page of its own, which every forked child faulted in for its signal resets (a fork does
   not copy the page tables of the program's text). */
static inline long pc_syscall_in_child(long number, long a, long b, long c, long d) {
#if defined(__x86_64__)
    long result;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return result;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = number;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
    return x0;
#else
    return syscall(number, a, b, c, d);
#endif
}

/* The kernel's struct sigaction for rt_sigaction(2) (the generic layout, which x86-64 and
   AArch64 use), and its signal set: 64 bits. */
struct pc_kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long long mask;
};

/* Sets `sig` to `handler` (SIG_DFL or SIG_IGN, which need no restorer) with a bare
   rt_sigaction(2). In the child of a fork every code page it runs is faulted in again
   (a fork does not copy the page tables of the program's text): glibc's sigaction goes
   through its wrapper, a memcpy of the 128-byte set and errno, each on a page of its own. */
static void pc_set_disposition_in_child(int sig, void (*handler)(int)) {
#if defined(__x86_64__) || defined(__aarch64__)
    struct pc_kernel_sigaction action = {.handler = handler, .flags = 0, .restorer = NULL, .mask = 0};
    (void)pc_syscall_in_child(SYS_rt_sigaction, sig, (long)&action, 0, sizeof action.mask);
#else
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    (void)sigaction(sig, &action, NULL);
#endif
}

/* Clears the signal mask with a bare rt_sigprocmask(2), for the same reason. */
static void pc_clear_signal_mask_in_child(void) {
#if defined(__x86_64__) || defined(__aarch64__)
    unsigned long long none = 0;
    (void)pc_syscall_in_child(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, sizeof none);
#else
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
#endif
}

/* Runs in the child between fork and the caller's code: async-signal-safe calls only.
   The mask is cleared last, once nothing of the parent's handling is left: a signal
   blocked across the fork then acts with its default. */
static void pc_prepare_child(bool only_changed, unsigned long long changed, int first_realtime) {
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGPIPE || (sig >= 32 && sig < first_realtime)) continue;
        if (only_changed && (sig > 64 || !(changed & (1ULL << (sig - 1))))) continue;
        pc_set_disposition_in_child(sig, SIG_DFL);
    }
    for (int i = 0; i < pc_fork_hook_count; i++) pc_fork_hooks[i]();
    pc_set_disposition_in_child(SIGPIPE, SIG_IGN);
    pc_clear_signal_mask_in_child();
    pc_clear_swift_throw_hooks_in_child();
}

/* fork(2) for pc_fork. In a process that has only ever run one thread, glibc's _Fork:
   the same clone, with the child's thread id and robust-mutex list set up as fork() sets
   them, without what fork() adds on top, which is there for other threads: resetting in
   the child the locks (malloc's, stdio's, the dynamic loader's) that another thread may
   have held at the fork, and the pthread_atfork handlers, which libraries register to
   the same end (libdispatch's, the only ones in procctl, prepare Dispatch for a child;
   a forked child must not use Dispatch). With one thread, the forking thread holds
   none of those locks here. What fork() adds cost each child page copies (the loader's
   lock, glibc's and libdispatch's data) and code pages: about 9% of a bench spawn child,
   libc's fork against _Fork in the same loop. With more than one thread, or not knowing,
   fork(). */
static pid_t pc_fork_process(void) {
#if defined(PC_HAVE_SINGLE_THREADED) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
    if (__libc_single_threaded) return _Fork();
#endif
    return fork();
}

int pc_fork(pid_t *out_pid) {
    pc_flush_stdio();
    /* A signal that reached the child before its hooks ran could run a handler of the
       parent there (the signal pipe's writes to the pipe the parent shares: the parent
       would act on a signal meant for the child, a server's SIGTERM to a worker it has
       just forked read as a SIGTERM to the server). Blocked across the fork, such a
       signal waits in the child until its reset and then acts with its default. */
    bool guard = pc_fork_hook_count > 0;
    sigset_t all, saved;
    if (guard) {
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
    }
    /* Read here, not in the child: a page the parent never touched (the mode's, in a
       process that never changed it) would be faulted in by every child. */
    bool only_changed = pc_reset_only_changed;
    unsigned long long changed = pc_changed_signals;
    /* glibc keeps the signals from 32 to SIGRTMIN for itself (sigaction refuses them). */
    int first_realtime = SIGRTMIN;
    pid_t pid = pc_fork_process();
    /* errno only on failure: __errno_location is a code page the child would fault in. */
    int fork_errno = pid < 0 ? errno : 0;
    if (pid == 0) {
        pc_prepare_child(only_changed, changed, first_realtime);
    } else if (guard) {
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
    }
    if (pid < 0) return fork_errno;
    *out_pid = pid;
    return 0;
}

void pc_child_exit(int code) {
    pc_flush_stdio();
    _exit(code);
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

bool pc_known_single_threaded(void) {
#ifdef PC_HAVE_SINGLE_THREADED
    return __libc_single_threaded != 0;
#else
    return false;
#endif
}

static _Thread_local pc_process_context pc_context;

pc_process_context pc_process_context_get(void) {
    return pc_context;
}

void pc_process_context_set(pc_process_context context) {
    pc_context = context;
}

int pc_die_with_parent(int sig, pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) return errno;
    /* The parent may have ended between the fork and the prctl: no signal then. */
    if (getppid() != parent) return ESRCH;
    return 0;
}

int pc_lead_process_group(pid_t pid) {
    if (setpgid(pid, pid) < 0) return errno;
    return 0;
}

int pc_stay_on_current_cpu(int *out_cpu) {
    int cpu = sched_getcpu();
    if (cpu < 0) return errno;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0) return errno;
    *out_cpu = cpu;
    return 0;
}
