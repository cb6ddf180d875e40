import CProcShim
import Testing

import Glibc

extension ShimTests {
    /// pc_pidfd_open, pc_pidfd_send_signal, pc_signal_child and pc_wait_ended.
    @Suite struct PidfdTests {
        /// Spawns `sleep 10`, a child that runs until it is signalled.
        private func sleeper() throws -> pid_t {
            let (rc, pid) = spawn(["/bin/sleep", "10"])
            try #require(rc == 0)
            return pid
        }

        @Test func pidfdIsCloseOnExecAndSignalsTheChild() throws {
            let pid = try sleeper()
            defer { stop(pid) }
            var pidfd: Int32 = -1
            try #require(pc_pidfd_open(pid, &pidfd) == 0)
            defer { _ = pc_close(pidfd) }
            #expect(pidfd > 2)
            #expect(isCloseOnExec(pidfd))
            #expect(pc_pidfd_send_signal(pidfd, 0) == 0)
            #expect(pc_pidfd_send_signal(pidfd, SIGTERM) == 0)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGTERM)
        }

        @Test func signalThroughPidfdOfReapedProcessIsESRCH() throws {
            let pid = try sleeper()
            defer { stop(pid) }
            var pidfd: Int32 = -1
            try #require(pc_pidfd_open(pid, &pidfd) == 0)
            defer { _ = pc_close(pidfd) }
            #expect(pc_pidfd_send_signal(pidfd, SIGKILL) == 0)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGKILL)
            #expect(pc_pidfd_send_signal(pidfd, SIGTERM) == ESRCH)
            #expect(pc_signal_child(pid, pidfd, SIGTERM) == ESRCH)
        }

        @Test func pidfdOpenOfGoneOrInvalidPidFails() throws {
            let pid = try sleeper()
            Glibc.kill(pid, SIGKILL)
            reap(pid)
            var pidfd: Int32 = -1
            // The pid could in principle be reused at once; then pidfd_open succeeds.
            let rc = pc_pidfd_open(pid, &pidfd)
            if rc == 0 { _ = pc_close(pidfd) } else { #expect(rc == ESRCH) }
            #expect(pc_pidfd_open(-1, &pidfd) == EINVAL)
        }

        @Test func pidfdOfAnUnreapedChildIsOpenedRunningAndEnded() throws {
            let pid = try sleeper()
            defer { stop(pid) }
            var running: Int32 = -1
            try #require(pc_pidfd_open_child(pid, &running) == 0)
            defer { _ = pc_close(running) }
            #expect(isCloseOnExec(running))
            #expect(pc_pidfd_send_signal(running, SIGKILL) == 0)
            var ended = false
            #expect(pc_wait_ended(pid, running, 10_000, &ended) == 0)
            #expect(ended)
            // Ended but not reaped: still the caller's child, and its pidfd can be opened.
            var zombie: Int32 = -1
            try #require(pc_pidfd_open_child(pid, &zombie) == 0)
            _ = pc_close(zombie)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGKILL)
        }

        @Test func pidfdOfAProcessThatIsNotAChildIsESRCH() {
            var pidfd: Int32 = -1
            // Both exist and have a pidfd, but neither is this process's child.
            #expect(pc_pidfd_open_child(1, &pidfd) == ESRCH)
            #expect(pc_pidfd_open_child(getpid(), &pidfd) == ESRCH)
            #expect(pidfd == -1)
        }

        @Test func invalidSignalIsEINVAL() throws {
            let pid = try sleeper()
            defer { stop(pid) }
            var pidfd: Int32 = -1
            try #require(pc_pidfd_open(pid, &pidfd) == 0)
            defer { _ = pc_close(pidfd) }
            #expect(pc_pidfd_send_signal(pidfd, 12345) == EINVAL)
            #expect(pc_pidfd_send_signal(-1, SIGTERM) == EBADF)
        }

        @Test func signalChildFallsBackToKillWithoutPidfd() throws {
            let pid = try sleeper()
            defer { stop(pid) }
            #expect(pc_signal_child(pid, -1, 0) == 0)
            #expect(pc_signal_child(pid, -1, SIGTERM) == 0)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGTERM)
        }

        @Test func signalChildUsesThePidfdWhenGiven() throws {
            let pid = try sleeper()
            defer { stop(pid) }
            var pidfd: Int32 = -1
            try #require(pc_pidfd_open(pid, &pidfd) == 0)
            defer { _ = pc_close(pidfd) }
            // A wrong pid beside a valid pidfd: the pidfd must be the one that counts.
            #expect(pc_signal_child(999_999_999, pidfd, SIGINT) == 0)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGINT)
        }

        @Test(arguments: [true, false])
        func waitEndedTimesOutThenSeesTheEnd(usePidfd: Bool) throws {
            let pid = try sleeper()
            defer { stop(pid) }
            var pidfd: Int32 = -1
            if usePidfd { try #require(pc_pidfd_open(pid, &pidfd) == 0) }
            defer { if pidfd >= 0 { _ = pc_close(pidfd) } }

            var ended = true
            let before = pc_monotonic_ns()
            #expect(pc_wait_ended(pid, pidfd, 100, &ended) == 0)
            let waited = Double(pc_monotonic_ns() - before) / 1e9
            #expect(!ended)
            #expect(waited >= 0.099, "returned after \(waited) s, before its timeout")

            ended = true
            #expect(pc_wait_ended(pid, pidfd, 0, &ended) == 0)
            #expect(!ended)

            #expect(pc_signal_child(pid, pidfd, SIGKILL) == 0)
            ended = false
            #expect(pc_wait_ended(pid, pidfd, 10_000, &ended) == 0)
            #expect(ended)
            // Not reaped: the wait still finds its status.
            var status = pc_exit_status()
            #expect(pc_wait(pid, &status) == 0)
            #expect(status.signaled && status.signal == SIGKILL)
        }

        @Test(arguments: [true, false])
        func waitEndedWithoutTimeoutReturnsWhenTheChildEnds(usePidfd: Bool) throws {
            let pid = try forkChild { usleep(50_000); return 4 }
            defer { stop(pid) }
            var pidfd: Int32 = -1
            if usePidfd { try #require(pc_pidfd_open(pid, &pidfd) == 0) }
            defer { if pidfd >= 0 { _ = pc_close(pidfd) } }
            var ended = false
            #expect(pc_wait_ended(pid, pidfd, -1, &ended) == 0)
            #expect(ended)
            let status = reap(pid)
            #expect(status.exited && status.code == 4)
        }

        @Test func waitEndedWithoutPidfdForANonChildIsECHILD() {
            var ended = false
            #expect(pc_wait_ended(1, -1, 10, &ended) == ECHILD)
        }
    }
}
