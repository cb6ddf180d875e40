import CProcShim
import ProcTestSupport

import Glibc

/// A process the test did not start and cannot reap (the new master of an upgrade, which
/// its old master started and left to init), held through a pidfd opened while it runs:
/// signals go to that process even if its pid is reused, and its end is seen on the pidfd.
/// `stop()` (in a `defer`) ends it in every case.
final class ForeignProcess {
    let pid: pid_t
    private let pidfd: Int32

    /// Opens a pidfd for `pid`; throws when no such process runs.
    init(pid: pid_t) throws {
        var descriptor: Int32 = -1
        let result = pc_pidfd_open(pid, &descriptor)
        guard result == 0 else { throw HarnessError("pidfd_open(\(pid)): errno \(result)") }
        self.pid = pid
        pidfd = descriptor
    }

    deinit {
        stop()
        _ = pc_close(pidfd)
    }

    /// Whether it has ended within `timeout` seconds.
    func waitForEnd(timeout: Double) -> Bool {
        var revents: Int16 = 0
        return pc_poll_one(pidfd, Int16(POLLIN), Int32(timeout * 1000), &revents) == 0 && revents != 0
    }

    func send(signal: Int32) {
        _ = pc_pidfd_send_signal(pidfd, signal)
    }

    /// SIGTERM, then SIGKILL after 5 s; waits for the end either way.
    func stop() {
        guard !waitForEnd(timeout: 0) else { return }
        send(signal: SIGTERM)
        if !waitForEnd(timeout: 5) {
            send(signal: SIGKILL)
            _ = waitForEnd(timeout: 5)
        }
    }
}
