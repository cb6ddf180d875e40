#ifndef PC_MEMORY_H
#define PC_MEMORY_H

#include <stddef.h>

/// mmap(2) of `length` bytes (rounded up to whole pages) of zeroed anonymous memory,
/// MAP_SHARED: the children this process forks afterwards see and write the same pages.
int pc_map_shared(size_t length, void **out_address);

/// mmap(2) of `length` bytes (rounded up to whole pages) of zeroed anonymous private
/// memory that children do not inherit (madvise MADV_DONTFORK): nothing of it is
/// copied or write-protected at a fork. A child must never touch it.
int pc_map_parent_only(size_t length, void **out_address);

/// munmap(2) of a mapping from `pc_map_shared`, `pc_map_parent_only` or the memfd maps; `length` as given there.
int pc_unmap(void *address, size_t length);

/// The size of a memory page (sysconf _SC_PAGESIZE).
size_t pc_page_size(void);

/// memfd_create(2) of `length` bytes (close-on-exec), mapped MAP_SHARED here: forked
/// children inherit the mapping, and a process that receives `*out_fd` (over SCM_RIGHTS)
/// maps the same pages with pc_map_memfd.
int pc_memfd_map_shared(size_t length, int *out_fd, void **out_address);

/// mmap(2) MAP_SHARED of `length` bytes of the memfd `fd`.
int pc_map_memfd(int fd, size_t length, void **out_address);

#endif
