#define _GNU_SOURCE
#include "pc_pool_slot.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int pc_memfd_map_shared(size_t length, int *out_fd, void **out_address) {
    int fd = memfd_create("procctl-pool", MFD_CLOEXEC);
    if (fd < 0) return errno;
    if (ftruncate(fd, (off_t)length) != 0) {
        int error = errno;
        close(fd);
        return error;
    }
    void *address = NULL;
    int mapped = pc_map_memfd(fd, length, &address);
    if (mapped != 0) {
        close(fd);
        return mapped;
    }
    *out_fd = fd;
    *out_address = address;
    return 0;
}

int pc_map_memfd(int fd, size_t length, void **out_address) {
    void *address = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (address == MAP_FAILED) return errno;
    *out_address = address;
    return 0;
}

void pc_pool_slot_store(pc_pool_slot *slot, int64_t task, int64_t started_ns) {
    __atomic_store_n(&slot->started_ns, started_ns, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->task, task, __ATOMIC_RELEASE);
}

void pc_pool_slot_load(const pc_pool_slot *slot, int64_t *out_task, int64_t *out_started_ns) {
    *out_task = __atomic_load_n(&slot->task, __ATOMIC_ACQUIRE);
    *out_started_ns = __atomic_load_n(&slot->started_ns, __ATOMIC_RELAXED);
}
