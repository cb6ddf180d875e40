#define _GNU_SOURCE
#include "pc_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

/* Writes "LISTEN_PID=<pid>" into buffer without stdio (the child of a fork). */
static void pc_format_listen_pid(char *buffer, pid_t pid) {
    static const char prefix[] = "LISTEN_PID=";
    memcpy(buffer, prefix, sizeof prefix - 1);
    char digits[16];
    int count = 0;
    unsigned long value = (unsigned long)pid;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    char *out = buffer + sizeof prefix - 1;
    while (count > 0) *out++ = digits[--count];
    *out = '\0';
}

/* The child: never returns. Only async-signal-safe calls. */
static void pc_exec_with_listener_in_child(const char *path, char *const argv[], char **environment, size_t count,
                                           char *listen_pid, int listen_fd, int ready_fd, int error_fd) {
    /* Out of the way of 3 and 4 first: any of the three may be one of them. */
    int listener = fcntl(listen_fd, F_DUPFD_CLOEXEC, 10);
    int ready = fcntl(ready_fd, F_DUPFD_CLOEXEC, 10);
    int error = fcntl(error_fd, F_DUPFD_CLOEXEC, 10);
    int failure = 0;
    if (listener < 0 || ready < 0 || error < 0) failure = errno;
    /* dup2 leaves the copies without FD_CLOEXEC: these two are meant to be inherited. */
    if (failure == 0 && dup2(listener, PC_LISTEN_FDS_START) < 0) failure = errno;
    if (failure == 0 && dup2(ready, PC_SPAWN_READY_FD) < 0) failure = errno;
    if (failure == 0) {
        struct sigaction defaults;
        memset(&defaults, 0, sizeof defaults);
        defaults.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig == SIGKILL || sig == SIGSTOP) continue;
            (void)sigaction(sig, &defaults, NULL); /* EINVAL for glibc's reserved ones */
        }
        sigset_t none;
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        pc_format_listen_pid(listen_pid, getpid());
        environment[count] = listen_pid;
        environment[count + 1] = NULL;
        execve(path, argv, environment);
        failure = errno;
    }
    while (write(error >= 0 ? error : error_fd, &failure, sizeof failure) < 0 && errno == EINTR) {}
    _exit(127);
}

int pc_spawn_with_listener(const char *path, char *const argv[], char *const environment[], size_t count,
                           int listen_fd, int ready_fd, pid_t *out_pid) {
    if (path == NULL || argv == NULL || out_pid == NULL) return EINVAL;
    /* The environment with room for LISTEN_PID, which the child writes into its copy. */
    char **child_environment = calloc(count + 2, sizeof *child_environment);
    if (child_environment == NULL) return ENOMEM;
    for (size_t i = 0; i < count; i++) child_environment[i] = environment[i];
    char listen_pid[32];
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) < 0) {
        int failure = errno;
        free(child_environment);
        return failure;
    }
    sigset_t all, parent_mask;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &parent_mask);
    pid_t pid = fork();
    if (pid == 0) {
        pc_exec_with_listener_in_child(path, argv, child_environment, count, listen_pid, listen_fd, ready_fd,
                                       error_pipe[1]);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &parent_mask, NULL);
    close(error_pipe[1]);
    free(child_environment);
    if (pid < 0) {
        close(error_pipe[0]);
        return fork_errno;
    }
    /* End of file: the exec succeeded (the write end was close-on-exec). */
    int child_errno = 0;
    ssize_t got;
    do {
        got = read(error_pipe[0], &child_errno, sizeof child_errno);
    } while (got < 0 && errno == EINTR);
    close(error_pipe[0]);
    if (got == (ssize_t)sizeof child_errno) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return child_errno != 0 ? child_errno : ECHILD;
    }
    *out_pid = pid;
    return 0;
}
