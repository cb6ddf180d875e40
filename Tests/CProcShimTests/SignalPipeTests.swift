import CProcShim
import Testing

import Glibc

extension ShimTests {
    /// pc_signal_pipe_install, pc_signal_pipe_drain and pc_ignore_sigpipe.
    ///
    /// The handlers are process-wide, so each case runs in a forked child and reports
    /// through its exit code: the test process's own dispositions stay untouched.
    @Suite struct SignalPipeTests {
        @Test func raisedSignalNumberArrivesThroughThePipe() throws {
            let pid = try forkChild {
                var buffer = [UInt8](repeating: 0, count: 16)
                var count: Int32 = -1
                // Before any install there is no pipe to drain.
                guard pc_signal_pipe_drain(&buffer, 16, &count) == EBADF else { return 10 }
                var readFD: Int32 = -1
                var signals: [Int32] = [SIGUSR1]
                guard pc_signal_pipe_install(&signals, 1, &readFD) == 0 else { return 11 }
                guard isCloseOnExec(readFD), fcntl(readFD, F_GETFL) & O_NONBLOCK != 0 else { return 12 }
                // Nothing waiting yet: drain returns at once with nothing.
                guard pc_signal_pipe_drain(&buffer, 16, &count) == 0, count == 0 else { return 13 }
                raise(SIGUSR1)
                var revents: Int16 = 0
                guard pc_poll_one(readFD, Int16(POLLIN), 5_000, &revents) == 0, revents != 0 else { return 14 }
                guard pc_signal_pipe_drain(&buffer, 16, &count) == 0, count == 1, buffer[0] == UInt8(SIGUSR1) else { return 15 }

                // A second install adds a signal and keeps the same pipe.
                var more: [Int32] = [SIGUSR2, SIGHUP]
                var again: Int32 = -1
                guard pc_signal_pipe_install(&more, 2, &again) == 0, again == readFD else { return 16 }
                raise(SIGUSR2)
                raise(SIGHUP)
                raise(SIGUSR1)
                guard pc_signal_pipe_drain(&buffer, 16, &count) == 0, count == 3 else { return 17 }
                guard Array(buffer[0..<3]) == [UInt8(SIGUSR2), UInt8(SIGHUP), UInt8(SIGUSR1)] else { return 18 }
                return 0
            }
            expectCleanExit(pid)
        }

        @Test func childExitArrivesAsSIGCHLD() throws {
            let pid = try forkChild {
                var readFD: Int32 = -1
                var signals: [Int32] = [SIGCHLD]
                guard pc_signal_pipe_install(&signals, 1, &readFD) == 0 else { return 20 }
                var grandchild: pid_t = -1
                guard pc_fork(&grandchild) == 0 else { return 21 }
                if grandchild == 0 { pc_child_exit(0) }
                var revents: Int16 = 0
                guard pc_poll_one(readFD, Int16(POLLIN), 5_000, &revents) == 0, revents != 0 else { return 22 }
                var buffer = [UInt8](repeating: 0, count: 16)
                var count: Int32 = 0
                guard pc_signal_pipe_drain(&buffer, 16, &count) == 0, count >= 1, buffer[0] == UInt8(SIGCHLD) else { return 23 }
                var status = pc_exit_status()
                guard pc_wait(grandchild, &status) == 0, status.exited else { return 24 }
                return 0
            }
            expectCleanExit(pid)
        }

        @Test func forkedChildDoesNotKeepTheSignalPipe() throws {
            let pid = try forkChild {
                var readFD: Int32 = -1
                var signals: [Int32] = [SIGUSR1]
                guard pc_signal_pipe_install(&signals, 1, &readFD) == 0 else { return 30 }
                var grandchild: pid_t = -1
                guard pc_fork(&grandchild) == 0 else { return 31 }
                if grandchild == 0 {
                    // The pipe is closed here and SIGUSR1 is back to its default action.
                    var buffer = [UInt8](repeating: 0, count: 4)
                    var count: Int32 = 0
                    let drained = pc_signal_pipe_drain(&buffer, 4, &count)
                    pc_child_exit(drained == EBADF && fcntl(readFD, F_GETFD) == -1 ? 0 : 1)
                }
                var status = pc_exit_status()
                guard pc_wait(grandchild, &status) == 0 else { return 32 }
                return status.exited && status.code == 0 ? 0 : 33
            }
            expectCleanExit(pid)
        }

        @Test func installingAnUncatchableSignalIsEINVAL() throws {
            let pid = try forkChild {
                var readFD: Int32 = -1
                var signals: [Int32] = [SIGKILL]
                return pc_signal_pipe_install(&signals, 1, &readFD) == EINVAL ? 0 : 40
            }
            expectCleanExit(pid)
        }

        @Test func ignoreSigpipeTurnsAKillIntoEPIPE() throws {
            let pid = try forkChild {
                signal(SIGPIPE, SIG_DFL)
                guard pc_ignore_sigpipe() == 0 else { return 50 }
                var fds: [Int32] = [-1, -1]
                guard pc_pipe(&fds) == 0 else { return 51 }
                _ = pc_close(fds[0])
                var byte: UInt8 = 1
                // write(2) directly: pc_write_all's own MSG_NOSIGNAL does not apply to pipes anyway.
                guard write(fds[1], &byte, 1) == -1, errno == EPIPE else { return 52 }
                return 0
            }
            expectCleanExit(pid)
        }
    }
}
