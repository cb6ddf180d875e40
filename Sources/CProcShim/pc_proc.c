#define _GNU_SOURCE
#include "pc_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* The entries of directory `path` but . and .., listed with getdents64 into the stack:
   three system calls and no heap page written (opendir allocates a 32 KiB buffer).
   pc_thread_count runs before every fork, whose cost grows with every page the parent
   writes around it. */
static int pc_count_directory_entries(const char *path, int *out_count) {
    int fd;
    do {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno;
    char entries[2048] __attribute__((aligned(8)));
    int count = 0;
    for (;;) {
        long length = syscall(SYS_getdents64, fd, entries, sizeof entries);
        if (length < 0 && errno == EINTR) continue;
        if (length < 0) {
            int rc = errno;
            close(fd);
            return rc;
        }
        if (length == 0) break;
        for (long offset = 0; offset < length;) {
            const struct dirent64 *entry = (const struct dirent64 *)(entries + offset);
            if (entry->d_name[0] != '.') count++;
            offset += entry->d_reclen;
        }
    }
    close(fd);
    *out_count = count;
    return 0;
}

int pc_count_open_fds(pid_t pid, int *out_count) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    return pc_count_directory_entries(path, out_count);
}

int pc_thread_count(int *out_count) {
    return pc_count_directory_entries("/proc/self/task", out_count);
}

int pc_executable_path(char *buffer, size_t capacity) {
    if (buffer == NULL || capacity < 2) return EINVAL;
    ssize_t length = readlink("/proc/self/exe", buffer, capacity - 1);
    if (length < 0) return errno;
    if ((size_t)length >= capacity - 1) return ENAMETOOLONG;
    buffer[length] = '\0';
    static const char deleted[] = " (deleted)";
    size_t suffix = sizeof deleted - 1;
    if ((size_t)length > suffix && strcmp(buffer + length - suffix, deleted) == 0) buffer[length - suffix] = '\0';
    return 0;
}

/* Reads up to capacity-1 bytes of a small /proc file into `buffer`, NUL-terminated. */
static int pc_read_proc_file(const char *path, char *buffer, size_t capacity) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t total = 0;
    while (total + 1 < capacity) {
        ssize_t n = read(fd, buffer + total, capacity - 1 - total);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int rc = errno;
            close(fd);
            return rc;
        }
        if (n == 0) break;
        total += (size_t)n;
    }
    close(fd);
    buffer[total] = '\0';
    return 0;
}

/* The read and write system calls of `pid` (syscr + syscw, /proc/PID/io: those of the
   children it has reaped included). */
static int pc_process_io_calls(pid_t pid, unsigned long long *out_calls) {
    char path[64];
    char text[1024];
    snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
    int rc = pc_read_proc_file(path, text, sizeof text);
    if (rc != 0) return rc;
    unsigned long long reads = 0, writes = 0;
    char *line = strstr(text, "syscr:");
    if (line != NULL) reads = strtoull(line + 6, NULL, 10);
    line = strstr(text, "syscw:");
    if (line != NULL) writes = strtoull(line + 6, NULL, 10);
    *out_calls = reads + writes;
    return 0;
}

/* The pids of the live children of `pid` (/proc/PID/task/PID/children), at most
   `capacity`; returns how many. */
static int pc_child_pids(pid_t pid, pid_t *out, int capacity) {
    char path[96];
    char text[4096];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    if (pc_read_proc_file(path, text, sizeof text) != 0) return 0;
    int count = 0;
    char *at = text;
    while (count < capacity) {
        char *end = NULL;
        long value = strtol(at, &end, 10);
        if (end == at) break;
        out[count++] = (pid_t)value;
        at = end;
    }
    return count;
}

/* `pid` and its descendants, parents first, at most `capacity`; returns how many. */
static int pc_process_tree(pid_t pid, pid_t *out, int capacity) {
    int count = 0;
    out[count++] = pid;
    for (int i = 0; i < count && count < capacity; i++)
        count += pc_child_pids(out[i], out + count, capacity - count);
    return count;
}

enum { PC_TREE_CAPACITY = 64 };

int pc_process_tree_io_calls(pid_t pid, uint64_t *out_io_calls) {
    pid_t tree[PC_TREE_CAPACITY];
    int count = pc_process_tree(pid, tree, PC_TREE_CAPACITY);
    unsigned long long total = 0;
    int rc = pc_process_io_calls(pid, &total);
    if (rc != 0) return rc;
    /* A descendant that ends between the listing and the read is missed for one look. */
    for (int i = 1; i < count; i++) {
        unsigned long long calls = 0;
        if (pc_process_io_calls(tree[i], &calls) == 0) total += calls;
    }
    *out_io_calls = total;
    return 0;
}

/* Whether descriptor `fd` of `pid` is the socket with inode `inode`. */
static bool pc_descriptor_is_socket(pid_t pid, long fd, uint64_t inode) {
    if (fd < 0) return false;
    char path[64], target[64], expected[48];
    snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pid, fd);
    ssize_t length = readlink(path, target, sizeof target - 1);
    if (length <= 0) return false;
    target[length] = '\0';
    snprintf(expected, sizeof expected, "socket:[%" PRIu64 "]", inode);
    return strcmp(target, expected) == 0;
}

/* Copies `length` bytes at `address` in `pid`'s memory; false when it cannot. */
static bool pc_read_memory(pid_t pid, unsigned long address, void *buffer, size_t length) {
    if (address == 0 || length == 0) return false;
    struct iovec local = {.iov_base = buffer, .iov_len = length};
    struct iovec remote = {.iov_base = (void *)address, .iov_len = length};
    return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)length;
}

/* Whether one of the first `count` descriptors of a poll set at `address` is the socket. */
static bool pc_poll_set_holds(pid_t pid, unsigned long address, unsigned long count, uint64_t inode) {
    struct pollfd entries[64];
    if (count > 64) count = 64;
    if (!pc_read_memory(pid, address, entries, count * sizeof entries[0])) return false;
    for (unsigned long i = 0; i < count; i++)
        if (pc_descriptor_is_socket(pid, entries[i].fd, inode)) return true;
    return false;
}

/* Whether a select descriptor set at `address` (descriptors below `count`) holds the socket. */
static bool pc_select_set_holds(pid_t pid, unsigned long address, unsigned long count, uint64_t inode) {
    unsigned long words[1024 / (8 * sizeof(unsigned long))];
    unsigned long bits = 8 * sizeof(unsigned long);
    if (count > 1024) count = 1024;
    size_t length = (count + bits - 1) / bits * sizeof(unsigned long);
    if (!pc_read_memory(pid, address, words, length)) return false;
    for (unsigned long fd = 0; fd < count; fd++)
        if ((words[fd / bits] >> (fd % bits)) & 1UL)
            if (pc_descriptor_is_socket(pid, (long)fd, inode)) return true;
    return false;
}

/* Whether the epoll set `epoll_fd` of `pid` watches the socket (its "tfd:" lines in fdinfo). */
static bool pc_epoll_set_holds(pid_t pid, long epoll_fd, uint64_t inode) {
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/fdinfo/%ld", (int)pid, epoll_fd);
    if (pc_read_proc_file(path, text, sizeof text) != 0) return false;
    for (char *at = strstr(text, "tfd:"); at != NULL; at = strstr(at + 4, "tfd:"))
        if (pc_descriptor_is_socket(pid, strtol(at + 4, NULL, 10), inode)) return true;
    return false;
}

/* Whether `pid` is asleep waiting on the socket with inode `inode` (see the header). */
static bool pc_process_waits_on(pid_t pid, uint64_t inode) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (pc_read_proc_file(path, text, sizeof text) != 0) return false;
    char *at = strrchr(text, ')');
    if (at == NULL || (at[2] != 'S' && at[2] != 'D')) return false;
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    if (pc_read_proc_file(path, text, sizeof text) != 0) return true;
    long number = -1;
    unsigned long arg[4] = {0, 0, 0, 0};
    if (sscanf(text, "%ld %lx %lx %lx %lx", &number, &arg[0], &arg[1], &arg[2], &arg[3]) < 2) return false;
    switch (number) {
    case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg:
    case SYS_write: case SYS_writev: case SYS_sendto: case SYS_sendmsg:
        return pc_descriptor_is_socket(pid, (long)arg[0], inode);
#ifdef SYS_poll
    case SYS_poll:
#endif
    case SYS_ppoll:
        return pc_poll_set_holds(pid, arg[0], arg[1], inode);
#ifdef SYS_select
    case SYS_select:
#endif
    case SYS_pselect6:
        return pc_select_set_holds(pid, arg[1], arg[0], inode) || pc_select_set_holds(pid, arg[2], arg[0], inode);
#ifdef SYS_epoll_wait
    case SYS_epoll_wait:
#endif
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
    case SYS_epoll_pwait:
        return pc_epoll_set_holds(pid, (long)arg[0], inode);
    default:
        return false;
    }
}

int pc_process_tree_waits_on_socket(pid_t pid, uint64_t socket_inode, bool *out_waiting) {
    *out_waiting = false;
    if (socket_inode == 0) return 0;
    pid_t tree[PC_TREE_CAPACITY];
    int count = pc_process_tree(pid, tree, PC_TREE_CAPACITY);
    for (int i = 0; i < count && !*out_waiting; i++) *out_waiting = pc_process_waits_on(tree[i], socket_inode);
    return 0;
}

