#ifndef PC_PROC_H
#define PC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The /proc family: what the kernel tells of a process through /proc (and, for a
 * process's system call arguments, process_vm_readv).
 */

/// The number of open descriptors of process `pid` (the entries of /proc/PID/fd; when
/// `pid` is the caller, the descriptor that lists them is counted too).
int pc_count_open_fds(pid_t pid, int *out_count);

/// The number of threads of the calling process (the entries of /proc/self/task).
int pc_thread_count(int *out_count);

/// The path of the running executable as the kernel names it (/proc/self/exe's link),
/// with the " (deleted)" the kernel appends once the file was replaced or removed cut
/// off, so that the path names whatever file is there now. ENAMETOOLONG when it does
/// not fit in `capacity` bytes with its NUL.
int pc_executable_path(char *buffer, size_t capacity);

/// The read and write system calls made so far by `pid` and by the processes it started,
/// for telling a process that works from one that is stuck: syscr + syscw of /proc/PID/io
/// of the process and of its descendants (live ones as they go, reaped ones as the kernel
/// adds them to their parent's). Reading another process's io needs the right to trace
/// it, which a parent and a grandparent have over their descendants.
int pc_process_tree_io_calls(pid_t pid, uint64_t *out_io_calls);

/// Whether `pid` or one of its descendants waits on the socket whose inode is
/// `socket_inode` (pc_descriptor_inode): asleep (/proc/PID/stat) in a read or write
/// system call on that socket (read, readv, recvfrom, recvmsg, write, writev, sendto,
/// sendmsg), or in poll, ppoll, select, pselect6 or epoll_wait with that socket among what
/// it waits for (/proc/PID/syscall, the poll set or descriptor sets read with
/// process_vm_readv, the epoll set from /proc/PID/fdinfo). A process running, stopped or
/// asleep in anything else does not. One asleep whose system call cannot be read (a
/// program that made itself not dumpable) is given the benefit of the doubt. An inode
/// of 0 (unknown) waits on nothing.
int pc_process_tree_waits_on_socket(pid_t pid, uint64_t socket_inode, bool *out_waiting);

#endif
