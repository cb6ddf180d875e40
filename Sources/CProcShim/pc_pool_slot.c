#include "pc_pool_slot.h"

void pc_pool_slot_store(pc_pool_slot *slot, int64_t task, int64_t started_ns) {
    __atomic_store_n(&slot->started_ns, started_ns, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->task, task, __ATOMIC_RELEASE);
}

void pc_pool_slot_load(const pc_pool_slot *slot, int64_t *out_task, int64_t *out_started_ns) {
    *out_task = __atomic_load_n(&slot->task, __ATOMIC_ACQUIRE);
    *out_started_ns = __atomic_load_n(&slot->started_ns, __ATOMIC_RELAXED);
}
