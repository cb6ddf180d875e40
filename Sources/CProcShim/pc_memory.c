#define _GNU_SOURCE
#include "pc_memory.h"
#include "pc_process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Shorter runs are left alone: each remapped run adds up to two mappings, and fork
   pays for every mapping too. */
enum { PC_MIN_RUN_PAGES = 16 };

static int pc_read_all(int fd, char *buffer, size_t capacity, size_t *out_length) {
    size_t used = 0;
    while (used < capacity - 1) {
        ssize_t n = read(fd, buffer + used, capacity - 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) break;
        used += (size_t)n;
    }
    buffer[used] = '\0';
    *out_length = used;
    return 0;
}

static int pc_open_retrying(const char *path, int flags) {
    int fd;
    do {
        fd = open(path, flags | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/* Whether page `entry` of /proc/self/pagemap may hold bytes that differ from the file:
   present and anonymous (written: copied on write), or swapped out. */
static int pc_page_was_written(uint64_t entry) {
    const uint64_t present = 1ULL << 63, swapped = 1ULL << 62, file_or_shared = 1ULL << 61;
    if (entry & swapped) return 1;
    return (entry & present) && !(entry & file_or_shared);
}

/* Remaps the never-written runs of one mapping; the file is already open as `file`. */
static int pc_remap_runs(int pagemap, int file, uintptr_t start, uintptr_t end, off_t offset, int prot) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (end - start) / page;
    uint64_t entries[512];
    size_t run_start = 0, run_length = 0;
    for (size_t index = 0; index <= pages; index++) {
        int written = 1; /* index == pages: ends the last run */
        if (index < pages) {
            size_t slot = index % 512;
            if (slot == 0) {
                size_t count = pages - index < 512 ? pages - index : 512;
                off_t at = (off_t)((start / page + index) * sizeof(uint64_t));
                ssize_t n;
                do {
                    n = pread(pagemap, entries, count * sizeof(uint64_t), at);
                } while (n < 0 && errno == EINTR);
                if (n != (ssize_t)(count * sizeof(uint64_t))) return n < 0 ? errno : EIO;
            }
            written = pc_page_was_written(entries[slot]);
        }
        if (!written) {
            if (run_length == 0) run_start = index;
            run_length++;
            continue;
        }
        if (run_length >= PC_MIN_RUN_PAGES) {
            uintptr_t address = start + run_start * page;
            void *mapped = mmap((void *)address, run_length * page, prot, MAP_PRIVATE | MAP_FIXED, file,
                                offset + (off_t)(run_start * page));
            if (mapped == MAP_FAILED) return errno;
        }
        run_length = 0;
    }
    return 0;
}

int pc_remap_clean_file_pages(void) {
    if (!pc_known_single_threaded()) {
        int threads = 0;
        int rc = pc_thread_count(&threads);
        if (rc != 0) return rc;
        if (threads != 1) return EBUSY;
    }
    int maps = pc_open_retrying("/proc/self/maps", O_RDONLY);
    if (maps < 0) return errno;
    /* Read whole before changing anything: remapping changes what the file lists. In
       memory of its own, given back afterwards: pages of .bss, the heap or the stack
       would stay present, and be copied by every fork. */
    const size_t capacity = 256 * 1024;
    char *text = mmap(NULL, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (text == MAP_FAILED) {
        int error = errno;
        close(maps);
        return error;
    }
    size_t length = 0;
    int rc = pc_read_all(maps, text, capacity, &length);
    close(maps);
    int pagemap = rc == 0 ? pc_open_retrying("/proc/self/pagemap", O_RDONLY) : -1;
    if (rc == 0 && pagemap < 0) rc = errno;
    if (rc != 0) {
        munmap(text, capacity);
        return rc;
    }
    for (char *line = text; rc == 0 && line != NULL && *line != '\0';) {
        char *next = strchr(line, '\n');
        if (next != NULL) *next++ = '\0';
        unsigned long start = 0, end = 0, offset = 0, inode = 0;
        unsigned major_number = 0, minor_number = 0;
        char perms[5] = {0};
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &end, perms, &offset, &major_number,
                   &minor_number, &inode, &path_at) == 7
            && inode != 0 && path_at > 0 && line[path_at] == '/'
            && strcmp(perms, "rw-p") == 0 && strstr(line + path_at, " (deleted)") == NULL) {
            int file = pc_open_retrying(line + path_at, O_RDONLY);
            struct stat info;
            if (file >= 0 && fstat(file, &info) == 0 && info.st_ino == inode
                && major(info.st_dev) == major_number && minor(info.st_dev) == minor_number) {
                rc = pc_remap_runs(pagemap, file, start, end, (off_t)offset, PROT_READ | PROT_WRITE);
            }
            if (file >= 0) close(file);
        }
        line = next;
    }
    close(pagemap);
    munmap(text, capacity);
    return rc;
}
