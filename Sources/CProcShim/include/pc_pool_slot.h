#ifndef PC_POOL_SLOT_H
#define PC_POOL_SLOT_H

#include <stddef.h>
#include <stdint.h>

/// What a pool worker is doing, in memory it shares with the pool's process: the index
/// of the task it runs (-1 between tasks) and when it started it (CLOCK_MONOTONIC ns).
/// The worker stores, the parent loads; each field is one atomic 64-bit word.
typedef struct pc_pool_slot {
    int64_t task;
    int64_t started_ns;
} pc_pool_slot;

/// The worker's side: it now runs `task`, started at `started_ns` (-1: between tasks).
/// The start time is stored first, so that a parent which sees the task sees its time.
void pc_pool_slot_store(pc_pool_slot *slot, int64_t task, int64_t started_ns);

/// The parent's side: the task the worker runs (-1: none) and when it started.
void pc_pool_slot_load(const pc_pool_slot *slot, int64_t *out_task, int64_t *out_started_ns);

#endif
