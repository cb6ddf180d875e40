#ifndef PC_MEMORY_H
#define PC_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The memory family: anonymous and memfd mappings shared with children or kept from them,
 * and POSIX shared memory by name.
 */

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

/// POSIX shared memory by name (shm_open(3), a file under /dev/shm), as Python's
/// multiprocessing.shared_memory uses it. `name` begins with '/' and has no other '/'.
/// Map the descriptor with pc_map_memfd and unmap with pc_unmap.

/// Creates the object `name` (O_CREAT | O_EXCL, mode 0600: EEXIST when it exists) and
/// sizes it to `size` bytes (ftruncate: the new bytes are zero). On failure nothing is
/// left behind.
int pc_shm_create(const char *name, size_t size, int *out_fd);

/// Opens the existing object `name` for reading and writing; `*out_size` is its size
/// (st_size, as Python reads it). ENOENT when there is none.
int pc_shm_attach(const char *name, int *out_fd, size_t *out_size);

/// shm_unlink(3): removes the name; mappings stay valid until unmapped. ENOENT when gone.
int pc_shm_unlink(const char *name);

/// Starts a watcher that unlinks `name` when this process ends, however it ends
/// (SIGKILL included): a forked child, in its own session (a terminal's Ctrl-C does not
/// reach it), that holds nothing but one end of a socket pair and waits for it to close.
/// `*out_fd` is the write end (close-on-exec; children forked without exec inherit it,
/// and the watcher waits for them too). End it with pc_shm_watcher_end. The child runs
/// async-signal-safe calls only, so a multithreaded process may call this.
int pc_shm_unlink_watcher(const char *name, pid_t *out_pid, int *out_fd);

/// Ends a watcher from pc_shm_unlink_watcher and reaps it: with `unlink_name` it unlinks
/// the name before it exits, otherwise it leaves the name alone. It is told in a word, so
/// a child forked meanwhile that holds a copy of `fd` does not keep it waiting.
int pc_shm_watcher_end(pid_t pid, int fd, bool unlink_name);

/// Drops this process's page-table entries for the pages of its private file mappings
/// (the executable's data and relocation-read-only segments; not code) that it has read
/// but never written: madvise(MADV_DONTNEED) on each run of pages that /proc/self/pagemap
/// reports present and file-backed. Such a page, read again, is mapped again from the page
/// cache with the same bytes (a minor fault); a page written (copied, anonymous) is left
/// as it is. Why: fork(2) copies one entry for every present page of a mapping that has
/// any written page, and a static executable's data segment is a few hundred pages the
/// runtime read once at startup; a process that forks per connection copies only what it
/// still uses. The process must run one thread: a page another thread wrote between the
/// check and the madvise would lose the write (EBUSY when there are others, and nothing
/// is dropped). `*out_pages`: the entries dropped.
int pc_drop_unwritten_file_pages(size_t *out_pages);

#endif
