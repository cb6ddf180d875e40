import CProcShim
import ProcTestSupport
import Testing

import Glibc

extension ShimTests {
    /// pc_wait, pc_try_wait and pc_has_ended.
    @Suite struct WaitTests {
        /// Waits (bounded) until `pid` has ended, without reaping it.
        private func waitUntilEnded(_ pid: pid_t) -> Bool {
            for _ in 0..<2000 {
                var ended = false
                guard pc_has_ended(pid, &ended) == 0 else { return false }
                if ended { return true }
                usleep(5_000)
            }
            return false
        }

        @Test func waitDecodesExitCode() throws {
            let pid = try forkChild { 7 }
            defer { stop(pid) }
            var status = pc_exit_status()
            #expect(pc_wait(pid, &status) == 0)
            #expect(status.exited && status.code == 7)
            #expect(!status.signaled && status.signal == 0)
        }

        @Test func waitDecodesExitCodeOf255() throws {
            let pid = try forkChild { 255 }
            defer { stop(pid) }
            var status = pc_exit_status()
            #expect(pc_wait(pid, &status) == 0)
            #expect(status.exited && status.code == 255)
        }

        @Test func waitDecodesSignal() throws {
            let pid = try forkChild { raise(SIGKILL); return 0 }
            defer { stop(pid) }
            var status = pc_exit_status()
            #expect(pc_wait(pid, &status) == 0)
            #expect(status.signaled && status.signal == SIGKILL)
            #expect(!status.exited)
        }

        @Test func waitForAProcessThatIsNotAChildIsECHILD() {
            var status = pc_exit_status()
            #expect(pc_wait(1, &status) == ECHILD)
            var ended = true
            #expect(pc_try_wait(1, &ended, &status) == ECHILD)
            #expect(pc_has_ended(1, &ended) == ECHILD)
        }

        @Test func tryWaitReportsRunningThenReapsOnce() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            // The child ends when the parent closes its end of a pipe: no timing involved.
            let pid = try forkChild {
                _ = pc_close(writeEnd)
                var byte: UInt8 = 0
                var count = 0
                _ = pc_read(readEnd, &byte, 1, &count)
                return 3
            }
            defer { stop(pid) }
            var ended = true
            var status = pc_exit_status()
            #expect(pc_try_wait(pid, &ended, &status) == 0)
            #expect(!ended)
            _ = pc_close(writeEnd)
            // A copy of the write end in a child forked meanwhile by another test delays
            // the end of file; the kill below is the bounded fallback, and the child needs
            // a moment to die of it too (reaping straight after the kill found it running).
            #expect(waitUntilEnded(pid) || (Glibc.kill(pid, SIGKILL) == 0 && waitUntilEnded(pid)))
            #expect(pc_try_wait(pid, &ended, &status) == 0)
            #expect(ended)
            if !status.signaled { #expect(status.exited && status.code == 3) }
            // Reaped: a second wait has no child to see.
            #expect(pc_try_wait(pid, &ended, &status) == ECHILD)
        }

        @Test func hasEndedDoesNotReap() throws {
            let pid = try forkChild { 5 }
            defer { stop(pid) }
            #expect(waitUntilEnded(pid))
            var ended = false
            #expect(pc_has_ended(pid, &ended) == 0)
            #expect(ended)
            // Still a zombie: its status is still there for the real wait.
            #expect(procState(pid) == "Z")
            var status = pc_exit_status()
            #expect(pc_wait(pid, &status) == 0)
            #expect(status.exited && status.code == 5)
            #expect(pc_has_ended(pid, &ended) == ECHILD)
        }

        @Test func hasEndedIsFalseWhileRunning() throws {
            let pid = try forkChild { sleep(10); return 0 }
            defer { stop(pid) }
            var ended = true
            #expect(pc_has_ended(pid, &ended) == 0)
            #expect(!ended)
            Glibc.kill(pid, SIGKILL)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGKILL)
        }
    }
}
