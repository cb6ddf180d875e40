#ifndef PC_FORK_HOOKS_H
#define PC_FORK_HOOKS_H

/*
 * What the shim's other families ask of pc_fork's children, by registration, so that
 * pc_process.c (which defines these) knows none of them: a family that leaves state a
 * child must undo registers how, instead of pc_fork calling into it. Private to the
 * shim: this header is not under include/, so Swift does not see it.
 */

/// The most hooks pc_fork_run_in_children holds.
#define PC_FORK_HOOKS_MAX 4

/// Runs `hook` in every child of pc_fork from now on, after the child's signal
/// dispositions are reset and before its signal mask is cleared: async-signal-safe code
/// only. While any hook is registered, pc_fork blocks every signal across the fork, so
/// that no handler of the parent runs in the child before its hooks have. Registering a
/// hook again does nothing. ENOSPC beyond PC_FORK_HOOKS_MAX. A child keeps the hooks of
/// its parent: they run in its own children too, and should find nothing left to undo.
int pc_fork_run_in_children(void (*hook)(void));

/// Tells pc_fork that a family set the disposition of `signal` (a handler, SIG_IGN):
/// children that reset only the signals changed from the default
/// (pc_fork_reset_changed_signals_only) reset it too.
void pc_fork_reset_in_children(int signal);

#endif
