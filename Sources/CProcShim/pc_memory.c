#define _GNU_SOURCE
#include "pc_memory.h"
#include "pc_proc.h"
#include "pc_unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

int pc_shm_create(const char *name, size_t size, int *out_fd) {
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) return errno;
    int rc = 0;
    while (ftruncate(fd, (off_t)size) != 0) {
        if (errno == EINTR) continue;
        rc = errno;
        close(fd);
        shm_unlink(name);
        return rc;
    }
    *out_fd = fd;
    return 0;
}

int pc_shm_attach(const char *name, int *out_fd, size_t *out_size) {
    int fd = shm_open(name, O_RDWR, 0600);
    if (fd < 0) return errno;
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int rc = errno;
        close(fd);
        return rc;
    }
    *out_fd = fd;
    *out_size = (size_t)info.st_size;
    return 0;
}

int pc_shm_unlink(const char *name) {
    return shm_unlink(name) == 0 ? 0 : errno;
}

/* The watcher's whole life: async-signal-safe calls only (it may be forked from a
 * multithreaded process), so the path is built before the fork. */
static void watch_and_unlink(int read_fd, const char *path) {
    if (read_fd > 0) close_range(0, (unsigned)read_fd - 1, 0);
    close_range((unsigned)read_fd + 1, ~0U, 0);
    setsid();
    struct sigaction plain;
    memset(&plain, 0, sizeof plain);
    plain.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        (void)sigaction(signal_number, &plain, NULL); /* drop the parent's handlers */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char byte = 0;
    for (;;) {
        ssize_t got = read(read_fd, &byte, 1);
        if (got < 0 && errno == EINTR) continue;
        /* 'd': dismissed, the creator unlinked or keeps the name. 'u', or end of file
         * (every holder of the other end is gone): unlink. */
        if (got == 1 && byte == 'd') _exit(0);
        break;
    }
    (void)unlink(path);
    _exit(0);
}

int pc_shm_unlink_watcher(const char *name, pid_t *out_pid, int *out_fd) {
    if (name == NULL || name[0] != '/' || strchr(name + 1, '/') != NULL) return EINVAL;
    char path[PATH_MAX];
    int written = snprintf(path, sizeof path, "/dev/shm%s", name);
    if (written < 0 || (size_t)written >= sizeof path) return ENAMETOOLONG;
    int fds[2]; /* a socket pair, not a pipe: the dismissing send cannot raise SIGPIPE */
    int paired = pc_socketpair(fds);
    if (paired != 0) return paired;
    pid_t pid = fork();
    if (pid < 0) {
        int rc = errno;
        close(fds[0]);
        close(fds[1]);
        return rc;
    }
    if (pid == 0) watch_and_unlink(fds[0], path);
    close(fds[0]);
    *out_pid = pid;
    *out_fd = fds[1];
    return 0;
}

int pc_shm_watcher_end(pid_t pid, int fd, bool unlink_name) {
    /* A word rather than end of file: a child forked since holds a copy of `fd`. */
    int rc = 0;
    const char word = unlink_name ? 'u' : 'd';
    while (send(fd, &word, 1, MSG_NOSIGNAL) < 0) {
        if (errno == EINTR) continue;
        rc = errno; /* EPIPE or ECONNRESET: the watcher is gone already; reap it all the same */
        break;
    }
    close(fd);
    while (waitpid(pid, NULL, 0) < 0) {
        if (errno == EINTR) continue;
        if (rc == 0) rc = errno;
        break;
    }
    return (rc == EPIPE || rc == ECONNRESET) ? 0 : rc;
}

/* /proc/self/pagemap: one 64-bit entry per page; bit 63 present, bit 61 a page of a file
   (or shared anonymous memory), which in a private mapping means never written. */
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_FILE_PAGE (1ULL << 61)

/* madvise(MADV_DONTNEED) of the runs of present, unwritten file pages in [start, end). */
static int drop_unwritten_pages_in(int pagemap, uintptr_t start, uintptr_t end, size_t page, size_t *dropped) {
    uint64_t entries[512];
    uintptr_t run = 0; /* the start of the current run of droppable pages, 0: none */
    for (uintptr_t address = start; address < end;) {
        size_t count = (end - address) / page;
        if (count > sizeof entries / sizeof entries[0]) count = sizeof entries / sizeof entries[0];
        ssize_t got;
        do {
            got = pread(pagemap, entries, count * sizeof entries[0], (off_t)(address / page * sizeof entries[0]));
        } while (got < 0 && errno == EINTR);
        if (got < 0) return errno;
        if ((size_t)got < sizeof entries[0]) return EIO;
        count = (size_t)got / sizeof entries[0];
        for (size_t i = 0; i < count; i++, address += page) {
            bool droppable = (entries[i] & (PAGEMAP_PRESENT | PAGEMAP_FILE_PAGE)) == (PAGEMAP_PRESENT | PAGEMAP_FILE_PAGE);
            if (droppable && run == 0) run = address;
            if (!droppable && run != 0) {
                if (madvise((void *)run, address - run, MADV_DONTNEED) == 0) *dropped += (address - run) / page;
                run = 0;
            }
        }
    }
    if (run != 0 && madvise((void *)run, end - run, MADV_DONTNEED) == 0) *dropped += (end - run) / page;
    return 0;
}

int pc_drop_unwritten_file_pages(size_t *out_pages) {
    *out_pages = 0;
    int threads = 0;
    int rc = pc_thread_count(&threads);
    if (rc != 0) return rc;
    if (threads != 1) return EBUSY;
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL) return errno;
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap < 0) {
        rc = errno;
        fclose(maps);
        return rc;
    }
    size_t page = pc_page_size();
    char line[4096];
    while (rc == 0 && fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end, inode;
        char permissions[5];
        if (sscanf(line, "%lx-%lx %4s %*s %*s %lu", &start, &end, permissions, &inode) != 4) continue;
        /* Private file mappings other than code: code is never written, so fork skips it. */
        if (inode == 0 || permissions[3] != 'p' || permissions[2] == 'x') continue;
        rc = drop_unwritten_pages_in(pagemap, start, end, page, out_pages);
    }
    close(pagemap);
    fclose(maps);
    return rc;
}
