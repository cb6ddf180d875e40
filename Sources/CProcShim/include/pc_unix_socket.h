#ifndef PC_UNIX_SOCKET_H
#define PC_UNIX_SOCKET_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/*
 * The AF_UNIX socket family: socket pairs, paths and abstract names, descriptors passed
 * with SCM_RIGHTS, and sd_notify's datagram.
 */

/// socketpair(2): two connected AF_UNIX stream sockets, close-on-exec, for a duplex
/// Pipe between processes.
int pc_socketpair(int fds[2]);

/// Fills `*out_address` and `*out_length` for the AF_UNIX socket `path`: a filesystem
/// path, or, when it begins with '@', a Linux abstract name (the bytes after the '@').
/// EINVAL for an empty path, ENAMETOOLONG for one that does not fit sun_path.
int pc_unix_address(const char *path, struct sockaddr_un *out_address, socklen_t *out_length);

/// socket(2), bind(2) and listen(2) for an AF_UNIX stream socket at `path` (see
/// pc_unix_address; close-on-exec). EADDRINUSE when a file is already there: as with
/// Python's Listener, a stale socket file is not removed.
int pc_unix_listen(const char *path, int backlog, int *out_fd);

/// The longest text of a Unix socket's path or abstract name ('@' and 107 bytes), with its NUL.
#define PC_UNIX_PATH_TEXT_MAX 109

/// For pc_unix_listen_replacing_stale: leave the socket file's permissions as bind(2)
/// made them (0777 less the umask).
#define PC_UNIX_MODE_FROM_UMASK (-1)

/// A server's AF_UNIX stream listener at `path` (see pc_unix_address; close-on-exec),
/// its file made `mode` (permission bits, or PC_UNIX_MODE_FROM_UMASK) before listen(2),
/// so that no client connects through looser permissions. A socket file already there
/// is probed with a non-blocking connect: refused, it is a dead server's and is replaced;
/// accepted or queued (EAGAIN: a full backlog), a live server holds it: EADDRINUSE, and
/// it stays. Nothing is removed otherwise: EISDIR for a directory, EEXIST for any other
/// kind of file (a symbolic link included), ENOENT for a missing directory, ENOTDIR,
/// EACCES as lstat(2) or bind(2) give them, ENAMETOOLONG for a path that does not fit
/// sun_path. An abstract name ('@') has no file: EADDRINUSE when it is taken. Two servers
/// starting at once on one stale file can both replace it: the last bind wins the path.
int pc_unix_listen_replacing_stale(const char *path, int backlog, int mode, int *out_fd);

/// Checks that `fd` is a listening AF_UNIX stream socket, makes it close-on-exec and
/// writes the path it is bound to in `path` (at least PC_UNIX_PATH_TEXT_MAX bytes; an
/// abstract name with a leading '@'): a listener passed by systemd or by the master of a
/// binary upgrade. EAFNOSUPPORT for a socket of another family (try pc_adopt_listener),
/// EBADF, ENOTSOCK or EINVAL (not a stream socket, or not listening) otherwise.
int pc_adopt_unix_listener(int fd, char *path, size_t capacity);

/// The name the AF_UNIX socket `fd` is bound to (getsockname(2)) in `path` (at least
/// PC_UNIX_PATH_TEXT_MAX bytes): its path, '@' and the name for an abstract one, "" when
/// unnamed. For a connection accepted from a listener, the listener's path.
/// EAFNOSUPPORT for a socket of another family.
int pc_unix_local_path(int fd, char *path, size_t capacity);

/// The inode of the socket file at `path` and the time of its last status change in
/// nanoseconds (lstat(2)), to know it again at removal. ENOTSOCK when the file there is
/// not a socket.
int pc_unix_socket_file_identity(const char *path, unsigned long long *out_inode, unsigned long long *out_change_ns);

/// Removes the socket file at `path` if it is still the one `inode` and `change_ns` name:
/// a file another server has bound there since is left alone (ESTALE), and so is one whose
/// owner or mode was changed since (the next server replaces it as stale). ENOENT when
/// nothing is there.
int pc_unix_socket_file_remove(const char *path, unsigned long long inode, unsigned long long change_ns);

/// SO_PEERCRED: the process id, user id and group id of the peer of the connected
/// AF_UNIX socket `fd`, as they were when it connected. EAFNOSUPPORT for another family.
int pc_unix_peer_credentials(int fd, int *out_pid, unsigned *out_uid, unsigned *out_gid);

/// Connects a close-on-exec AF_UNIX stream socket to `path` (see pc_unix_address).
/// ECONNREFUSED or ENOENT when nothing listens there.
int pc_unix_connect(const char *path, int *out_fd);

/// Sends `message` as one datagram to the AF_UNIX socket `socket_path`, as sd_notify(3)
/// does, without libsystemd: a path starting with '@' names the abstract namespace.
/// Never blocks: EAGAIN when the receiver's queue is full (the datagram is not sent).
/// ENAMETOOLONG for a path that does not fit, ECONNREFUSED or ENOENT when nothing listens.
int pc_notify_send(const char *socket_path, const void *message, size_t length);

/// The most descriptors one message carries.
#define PC_FD_PASSING_MAX 8

/// socketpair(2) of AF_UNIX SOCK_SEQPACKET, close-on-exec: two connected ends that keep
/// message boundaries, each message with up to PC_FD_PASSING_MAX descriptors.
int pc_seqpacket_pair(int fds[2]);

/// Sends one message of `length` bytes with `fd_count` descriptors (SCM_RIGHTS) on a
/// SOCK_SEQPACKET or SOCK_STREAM Unix socket: the receiver gets copies, the sender's stay
/// open. MSG_NOSIGNAL: EPIPE, never SIGPIPE, when the peer has gone. EMSGSIZE for a
/// message larger than the socket's buffer; EINVAL for too many descriptors.
int pc_send_with_fds(int socket_fd, const void *bytes, size_t length, const int *fds, int fd_count);

/// Receives one message from a SOCK_SEQPACKET socket: at most `capacity` bytes in
/// `buffer`, the count in `*out_length` (0 at end of stream), and up to `fd_capacity`
/// descriptors in `fds`, the count in `*out_fd_count`, each close-on-exec
/// (MSG_CMSG_CLOEXEC). EMSGSIZE when the message or its descriptors did not fit (the
/// descriptors that came are closed, so none leaks).
int pc_receive_with_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count);

/// One recvmsg(2) of at most `capacity` bytes from a stream socket, as read(2) would give
/// (the count in `*out_length`, 0 at end of stream), keeping the descriptors that came with
/// them (SCM_RIGHTS, close-on-exec) in `fds`, the count in `*out_fd_count`: read(2) would
/// close them. Descriptors beyond `fd_capacity` are closed. EINTR is retried.
int pc_read_keeping_fds(int socket_fd, void *buffer, size_t capacity, size_t *out_length,
                        int *fds, int fd_capacity, int *out_fd_count);

#endif
