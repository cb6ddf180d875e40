#ifndef PC_PROCESS_CONTEXT_H
#define PC_PROCESS_CONTEXT_H

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

/// The calling thread's context ({NULL, NULL} until set).
pc_process_context pc_process_context_get(void);

/// Sets the calling thread's context.
void pc_process_context_set(pc_process_context context);

#endif
