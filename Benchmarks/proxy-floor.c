// A minimal C prefork server, the floor for Benchmarks/proxy-protocol.sh (FLOOR=1): what
// the PROXY protocol costs with no server code to speak of. WORKERS processes, forked once,
// each block in accept(2) on the shared listener and serve one connection at a time: with
// `proxy`, read exactly a PROXY v2 header (the 16-byte fixed part, its 12-byte signature
// checked, then the length in bytes 14-15, big-endian, of the rest) and drop it; then reply
// to what it reads with the same bytes upper-cased (as `procctl serve` does and
// `procctl load` checks) until end of file; close.
//
//   proxy-floor PORT WORKERS [proxy]
//
// Listens on 127.0.0.1:PORT (0: any free port) and prints `listening on 127.0.0.1:PORT`
// once listening. On SIGTERM or SIGINT the parent stops its workers by pid and exits; a
// worker also ends when its parent dies (PR_SET_PDEATHSIG). A worker that dies otherwise
// is replaced. Every descriptor is close-on-exec; SIGPIPE is ignored.
//
//   cc -O2 -Wall -o proxy-floor Benchmarks/proxy-floor.c
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static const unsigned char signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

static void on_child(int sig) { (void)sig; }

// Reads exactly `count` bytes; 0 on success, -1 on end of file or an error.
static int read_full(int fd, unsigned char *buffer, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t r = read(fd, buffer + done, count - done);
        if (r > 0) done += (size_t)r;
        else if (r < 0 && errno == EINTR) continue;
        else return -1;
    }
    return 0;
}

static int write_full(int fd, const unsigned char *buffer, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t w = write(fd, buffer + done, count - done);
        if (w > 0) done += (size_t)w;
        else if (w < 0 && errno == EINTR) continue;
        else return -1;
    }
    return 0;
}

// Reads off a PROXY v2 header; 0 if it is one, -1 otherwise.
static int read_proxy_v2(int fd, unsigned char *buffer) {
    if (read_full(fd, buffer, 16) != 0) return -1;
    if (memcmp(buffer, signature, sizeof signature) != 0) return -1;
    if ((buffer[12] & 0xF0) != 0x20 || (buffer[12] & 0x0F) > 1) return -1;  // version 2; LOCAL or PROXY
    size_t rest = ((size_t)buffer[14] << 8) | buffer[15];
    return rest == 0 ? 0 : read_full(fd, buffer + 16, rest);
}

static void serve(int fd, int proxy) {
    static unsigned char buffer[65536 + 16];
    if (proxy && read_proxy_v2(fd, buffer) != 0) return;
    for (;;) {
        ssize_t r = read(fd, buffer, 65536);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return;
        for (ssize_t i = 0; i < r; i++)
            if (buffer[i] >= 'a' && buffer[i] <= 'z') buffer[i] -= 32;
        if (write_full(fd, buffer, (size_t)r) != 0) return;
    }
}

static sigset_t unblocked;  // the mask before the parent blocked its signals

static void worker(int listener, int proxy, pid_t parent) {
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigaction(SIGCHLD, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &unblocked, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);  // the parent died before prctl
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != ECONNABORTED) usleep(1000);  // EMFILE and the like
            continue;
        }
        serve(fd, proxy);
        close(fd);
    }
}

static pid_t start_worker(int listener, int proxy, pid_t parent) {
    pid_t pid = fork();
    if (pid == 0) {
        worker(listener, proxy, parent);
        _exit(0);
    }
    if (pid < 0) perror("proxy-floor: fork");
    return pid;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "proxy") != 0)) {
        fprintf(stderr, "usage: proxy-floor PORT WORKERS [proxy]\n");
        return 2;
    }
    int port = atoi(argv[1]), count = atoi(argv[2]), proxy = argc == 4;
    if (port < 0 || port > 65535 || count < 1 || count > 1024) {
        fprintf(stderr, "proxy-floor: bad PORT or WORKERS\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    // The parent takes SIGTERM, SIGINT and SIGCHLD only in sigwaitinfo(2): none is lost
    // between a check and a wait. (A handler, if a no-op, keeps SIGCHLD from being discarded.)
    struct sigaction child = {.sa_handler = on_child};
    sigaction(SIGCHLD, &child, NULL);
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGTERM);
    sigaddset(&waited, SIGINT);
    sigaddset(&waited, SIGCHLD);
    sigprocmask(SIG_BLOCK, &waited, &unblocked);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (listener < 0) { perror("proxy-floor: socket"); return 1; }
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 128) < 0 ||
        getsockname(listener, (struct sockaddr *)&address, &length) < 0) {
        perror("proxy-floor: listen");
        return 1;
    }

    pid_t parent = getpid();
    pid_t *workers = calloc((size_t)count, sizeof *workers);
    if (workers == NULL) { perror("proxy-floor: calloc"); return 1; }
    for (int i = 0; i < count; i++) workers[i] = start_worker(listener, proxy, parent);
    printf("listening on 127.0.0.1:%d\n", ntohs(address.sin_port));
    fflush(stdout);

    for (;;) {
        int sig = sigwaitinfo(&waited, NULL);
        if (sig < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (sig != SIGCHLD) break;
        pid_t pid;
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)  // a worker died: replace it
            for (int i = 0; i < count; i++)
                if (workers[i] == pid) workers[i] = start_worker(listener, proxy, parent);
    }
    for (int i = 0; i < count; i++)
        if (workers[i] > 0) kill(workers[i], SIGTERM);
    for (int i = 0; i < count; i++)
        if (workers[i] > 0) while (waitpid(workers[i], NULL, 0) < 0 && errno == EINTR) {}
    return 0;
}
