import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// The write end of the pipe that the atexit handler of `childExitSkipsAtexitHandlers` writes to.
nonisolated(unsafe) private var atexitWitnessFD: Int32 = -1

extension ShimTests {
    /// pc_fork and pc_child_exit.
    @Suite struct ForkTests {
        @Test func childReturnsZeroPidAndParentGetsChildPid() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            let parentPID = getpid()
            let pid = try forkChild {
                // The child reports its own pid and its parent's, so the parent can compare.
                var ids: [Int32] = [getpid(), getppid()]
                let rc = ids.withUnsafeMutableBytes { pc_write_all(writeEnd, $0.baseAddress, $0.count) }
                return rc == 0 ? 0 : 1
            }
            defer { stop(pid) }
            _ = pc_close(writeEnd)
            let reported = read(readEnd, exactly: 8)
            try #require(reported.count == 8)
            let ids = reported.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            #expect(pid > 0)
            #expect(ids[0] == pid)
            #expect(ids[1] == parentPID)
            expectCleanExit(pid)
        }

        @Test func childSignalMaskIsClearedWhenForkingThreadBlocksSIGTERM() throws {
            var block = sigset_t()
            sigemptyset(&block)
            sigaddset(&block, SIGTERM)
            sigaddset(&block, SIGUSR1)
            var previous = sigset_t()
            try #require(pthread_sigmask(SIG_BLOCK, &block, &previous) == 0)
            var restored = false
            defer { if !restored { pthread_sigmask(SIG_SETMASK, &previous, nil) } }
            // The test thread really blocks SIGTERM now, as Dispatch's workers do.
            var current = sigset_t()
            pthread_sigmask(SIG_BLOCK, nil, &current)
            try #require(sigismember(&current, SIGTERM) == 1)

            let pid = try forkChild {
                var mask = sigset_t()
                guard sigprocmask(SIG_BLOCK, nil, &mask) == 0 else { return 10 }
                if sigismember(&mask, SIGTERM) == 1 { return 11 }
                if sigismember(&mask, SIGUSR1) == 1 { return 12 }
                return 0
            }
            defer { stop(pid) }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            restored = true
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "child exit code \(status.code): 11 = SIGTERM still blocked")
        }

        @Test func childForkedFromThreadBlockingSIGTERMDiesOfSIGTERM() throws {
            var block = sigset_t()
            sigemptyset(&block)
            sigaddset(&block, SIGTERM)
            var previous = sigset_t()
            try #require(pthread_sigmask(SIG_BLOCK, &block, &previous) == 0)
            let forked = Result { try forkChild { sleep(10); return 99 } }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            let pid = try forked.get()
            defer { stop(pid) }
            try #require(Glibc.kill(pid, SIGTERM) == 0)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGTERM)
        }

        @Test func childSignalDispositionsAreReset() throws {
            // The dispositions are changed in an intermediate child, not in the test process.
            let pid = try forkChild {
                signal(SIGUSR1, SIG_IGN)
                signal(SIGUSR2) { _ in _exit(42) }
                signal(SIGHUP, SIG_IGN)
                var grandchild: pid_t = -1
                guard pc_fork(&grandchild) == 0 else { return 20 }
                if grandchild == 0 {
                    raise(SIGPIPE)  // ignored in a pc_fork child: it survives
                    raise(SIGHUP)  // default again: it dies here
                    _exit(0)
                }
                var status = pc_exit_status()
                guard pc_wait(grandchild, &status) == 0 else { return 21 }
                guard status.signaled && status.signal == SIGHUP else { return 22 }

                guard pc_fork(&grandchild) == 0 else { return 20 }
                if grandchild == 0 {
                    raise(SIGUSR2)  // the handler would _exit(42); the default kills
                    _exit(0)
                }
                guard pc_wait(grandchild, &status) == 0 else { return 21 }
                guard status.signaled && status.signal == SIGUSR2 else { return 23 }

                guard pc_fork(&grandchild) == 0 else { return 20 }
                if grandchild == 0 {
                    raise(SIGUSR1)
                    _exit(0)
                }
                guard pc_wait(grandchild, &status) == 0 else { return 21 }
                guard status.signaled && status.signal == SIGUSR1 else { return 24 }
                return 0
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "intermediate child exit code \(status.code)")
        }

        @Test func childResetsTheChangedSignalsWhenOnlyThoseAreReset() throws {
            // In an intermediate child: the mode is process-wide, and the test process
            // keeps resetting every signal.
            let pid = try forkChild {
                signal(SIGUSR1, SIG_IGN)
                signal(SIGUSR2) { _ in _exit(42) }
                guard pc_fork_reset_changed_signals_only() == 0 else { return 30 }
                // Set through the shim after the snapshot: reset too.
                var pipeEnd: Int32 = -1
                var hangUp = [SIGHUP]
                guard pc_signal_pipe_install(&hangUp, 1, &pipeEnd) == 0 else { return 31 }
                let expected: [(raised: Int32, code: Int32)] = [(SIGUSR1, 32), (SIGUSR2, 33), (SIGHUP, 34)]
                for (raised, code) in expected {
                    var grandchild: pid_t = -1
                    guard pc_fork(&grandchild) == 0 else { return 35 }
                    if grandchild == 0 {
                        raise(SIGPIPE)  // still ignored: it survives
                        raise(raised)  // default again: it dies here
                        _exit(0)
                    }
                    var status = pc_exit_status()
                    guard pc_wait(grandchild, &status) == 0 else { return 36 }
                    guard status.signaled && status.signal == raised else { return code }
                }
                pc_fork_reset_every_signal()
                return 0
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "intermediate child exit code \(status.code)")
        }

        @Test func pendingBufferedLineIsNotPrintedTwiceThroughAPipe() throws {
            // An intermediate child owns the pipe and the buffered stream, so the test
            // process's own stdout is not involved.
            let pid = try forkChild {
                var fds: [Int32] = [-1, -1]
                guard pc_pipe(&fds) == 0, let stream = fdopen(fds[1], "w") else { return 30 }
                // A pipe makes the stream fully buffered: the line stays pending.
                fputs("pending line\n", stream)
                var grandchild: pid_t = -1
                guard pc_fork(&grandchild) == 0 else { return 31 }
                if grandchild == 0 {
                    fputs("from grandchild\n", stream)
                    pc_child_exit(0)
                }
                var status = pc_exit_status()
                guard pc_wait(grandchild, &status) == 0, status.exited, status.code == 0 else { return 32 }
                fclose(stream)
                let output = text(drain(fds[0]))
                guard output.split(separator: "\n").filter({ $0 == "pending line" }).count == 1 else { return 33 }
                guard output.split(separator: "\n").filter({ $0 == "from grandchild" }).count == 1 else { return 34 }
                return 0
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "33: pending line not printed exactly once; 34: grandchild's line lost")
        }

        @Test func childExitFlushesAndUsesCode() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            let pid = try forkChild {
                guard let stream = fdopen(writeEnd, "w") else { return 40 }
                fputs("buffered", stream)
                pc_child_exit(42)
            }
            defer { stop(pid) }
            _ = pc_close(writeEnd)
            let status = reap(pid)
            #expect(status.exited && status.code == 42)
            #expect(!status.signaled)
            #expect(text(drain(readEnd)) == "buffered")
        }

        @Test func childExitSkipsAtexitHandlers() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            let pid = try forkChild {
                atexitWitnessFD = writeEnd
                atexit { _ = write(atexitWitnessFD, "atexit", 6) }
                var grandchild: pid_t = -1
                guard pc_fork(&grandchild) == 0 else { return 50 }
                if grandchild == 0 { pc_child_exit(7) }
                var status = pc_exit_status()
                guard pc_wait(grandchild, &status) == 0 else { return 51 }
                return status.exited && status.code == 7 ? 0 : 52
            }
            defer { stop(pid) }
            _ = pc_close(writeEnd)
            expectCleanExit(pid)
            // The intermediate child left through _exit too: nothing may be in the pipe.
            #expect(drain(readEnd).isEmpty)
        }

        @Test func threadCountIsOneInForkedChildAndGrowsWithAThread() throws {
            let pid = try forkChild {
                var count: Int32 = 0
                guard pc_thread_count(&count) == 0 else { return 60 }
                return count == 1 ? 0 : 61
            }
            defer { stop(pid) }
            expectCleanExit(pid)

            try withExtraThread {
                var count: Int32 = 0
                #expect(pc_thread_count(&count) == 0)
                #expect(count >= 2)
                // With a second thread running, the cheap check must not claim one thread
                // (ChildProcess skips the /proc count on its word).
                #expect(!pc_known_single_threaded())
            }
        }

        /// pc_stay_on_current_cpu: in a child, so that the test runner's thread keeps its CPUs.
        @Test func stayingOnTheCurrentCPUAllowsThatCPUAloneAndForkedChildrenInheritIt() throws {
            let pid = try forkChild {
                var cpu: Int32 = -1
                guard pc_stay_on_current_cpu(&cpu) == 0, cpu >= 0 else { return 10 }
                guard allowedCPUs() == [Int(cpu)] else { return 11 }
                // A process forked now runs there too.
                var grandchild: pid_t = 0
                guard pc_fork(&grandchild) == 0 else { return 13 }
                if grandchild == 0 { pc_child_exit(allowedCPUs() == [Int(cpu)] ? 0 : 1) }
                var status = pc_exit_status()
                guard pc_wait(grandchild, &status) == 0, status.exited, status.code == 0 else { return 14 }
                return 0
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "child exit code \(status.code): 10 the call failed, 11 another CPU allowed, 13 fork failed, 14 the grandchild was allowed others")
        }
    }
}

/// The CPUs the calling thread may run on, by number: its Cpus_allowed_list in
/// /proc/thread-self/status ("0-1", "1", "0,2-3"). Empty when it cannot be read.
private func allowedCPUs() -> [Int] {
    guard let status = FileSystem.contents(ofFile: "/proc/thread-self/status") else { return [] }
    let text = String(decoding: status, as: UTF8.self)
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
    var cpus: [Int] = []
    let list = String(line.dropFirst("Cpus_allowed_list:".count).filter { !$0.isWhitespace })
    for part in list.split(separator: ",") {
        let bounds = part.split(separator: "-").compactMap { Int($0) }
        guard let first = bounds.first, let last = bounds.last, first <= last else { return [] }
        cpus += Array(first...last)
    }
    return cpus
}
