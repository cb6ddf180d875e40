import CProcShim

import Glibc

/// A process the test did not start (a server's worker), held by a pidfd opened while it
/// was surely alive: once it ends and its parent (or init) reaps it, its pid may be reused
/// at once (pid_max is 32768 here and the tests fork thousands of processes), but the
/// pidfd still refers to it alone. Close it with `close()`.
struct WatchedProcess {
    let pid: pid_t
    private let pidfd: Int32

    /// Opens a pidfd for `pid`; nil when it has already gone (or without pidfds).
    init?(_ pid: pid_t) {
        var fd: Int32 = -1
        guard pc_pidfd_open(pid, &fd) == 0 else { return nil }
        self.pid = pid
        self.pidfd = fd
    }

    /// Whether it still runs (a zombie has ended).
    var isRunning: Bool {
        var revents: Int16 = 0
        return pc_poll_one(pidfd, Int16(POLLIN), 0, &revents) == 0 && revents == 0
    }

    /// Waits up to `timeout` seconds for it to end; true when it has.
    func waitForEnd(timeout: Double) -> Bool {
        var revents: Int16 = 0
        return pc_poll_one(pidfd, Int16(POLLIN), Int32(timeout * 1000), &revents) == 0 && revents != 0
    }

    /// SIGKILLs it if it still runs, through the pidfd, and closes the pidfd.
    func close() {
        _ = pc_pidfd_send_signal(pidfd, SIGKILL)
        _ = pc_close(pidfd)
    }
}
