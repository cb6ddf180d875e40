#define _GNU_SOURCE
#include "pc_memory.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

size_t pc_page_size(void) {
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

static size_t rounded_to_pages(size_t length) {
    size_t page = pc_page_size();
    if (length == 0) return page;
    return (length + page - 1) / page * page;
}

static int map_anonymous(size_t length, int sharing, void **out_address) {
    if (length > ((size_t)-1) / 2) return EINVAL;
    void *address = mmap(NULL, rounded_to_pages(length), PROT_READ | PROT_WRITE, sharing | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED) return errno;
    *out_address = address;
    return 0;
}

int pc_map_shared(size_t length, void **out_address) {
    return map_anonymous(length, MAP_SHARED, out_address);
}

int pc_map_parent_only(size_t length, void **out_address) {
    void *address = NULL;
    int rc = map_anonymous(length, MAP_PRIVATE, &address);
    if (rc != 0) return rc;
    /* Without MADV_DONTFORK the memory is still correct, only copied at forks. */
    (void)madvise(address, rounded_to_pages(length), MADV_DONTFORK);
    *out_address = address;
    return 0;
}

int pc_unmap(void *address, size_t length) {
    if (munmap(address, rounded_to_pages(length)) != 0) return errno;
    return 0;
}

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
