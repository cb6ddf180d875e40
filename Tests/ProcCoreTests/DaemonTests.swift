import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// When a child's closure ends, its daemon children are terminated and its other
    /// children are waited for, as in Python's multiprocessing.
    @Suite struct DaemonTests {
        @Test func daemonGrandchildIsTerminatedAndOtherGrandchildIsWaitedFor() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            // The child waits for a byte on `go` before it returns, so that the test can
            // see both grandchildren alive first.
            let (goRead, goWrite) = try makePipe()
            defer { _ = pc_close(goRead); _ = pc_close(goWrite) }
            let child = ChildProcess(name: "parent-of-two", threadPolicy: .allow) {
                let daemon = ChildProcess(name: "daemon", isDaemon: true, threadPolicy: .allow) { sleep(30) }
                let worker = ChildProcess(name: "worker", threadPolicy: .allow) { sleep(1) }
                try daemon.start()
                try worker.start()
                guard let d = daemon.pid, let w = worker.pid, writePIDs([d, w], to: writeEnd) else {
                    throw ChildProcess.Exit(20)
                }
                var byte: UInt8 = 0
                var count = 0
                _ = pc_read(goRead, &byte, 1, &count)
                // Returns at once: the exit rules do the rest.
            }
            let started = pc_monotonic_ns()
            try child.start()
            defer { stop(child) }
            let pids = try #require(readPIDs(2, from: readEnd))
            let (daemonPID, workerPID) = (pids[0], pids[1])
            defer { killIfOurs(daemonPID); killIfOurs(workerPID) }
            #expect(child.isDaemon == false)
            // Both grandchildren run while the child's closure runs.
            #expect(procState(daemonPID) != nil && procState(daemonPID) != "Z")
            #expect(procState(workerPID) != nil)
            var go: UInt8 = 1
            #expect(pc_write_all(goWrite, &go, 1) == 0)

            finish(child, within: 20)
            let joined = seconds(since: started)
            #expect(child.exitCode == 0)
            #expect(joined >= 0.99, "the child ended after \(joined) s, before its worker's 1 s sleep")
            // The daemon (asked to sleep 30 s) is gone, and so is the worker: both reaped.
            #expect(TestClock.waitUntil(timeout: 5) { procState(daemonPID) == nil })
            #expect(TestClock.waitUntil(timeout: 5) { procState(workerPID) == nil })
        }

        /// How the child's closure ends in the exit-path tests.
        enum Ending: CaseIterable, Sendable {
            /// `throw ChildProcess.Exit(5)`: ChildProcess's own exit path.
            case throwsExit
            /// `exit(3)`: the atexit rules, as a parent process's own exit would run them.
            case callsExit

            var expectedCode: Int32 { self == .throwsExit ? 5 : 3 }
        }

        @Test(arguments: Ending.allCases)
        func daemonGrandchildIsTerminatedWhenTheChildEnds(_ ending: Ending) throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            let child = ChildProcess(threadPolicy: .allow) {
                let daemon = ChildProcess(isDaemon: true, threadPolicy: .allow) { sleep(30) }
                try daemon.start()
                guard let pid = daemon.pid, writePIDs([pid], to: writeEnd) else { throw ChildProcess.Exit(20) }
                switch ending {
                case .throwsExit: throw ChildProcess.Exit(5)
                case .callsExit: exit(3)
                }
            }
            try child.start()
            defer { stop(child) }
            let daemonPID = try #require(readPIDs(1, from: readEnd)?.first)
            defer { killIfOurs(daemonPID) }
            finish(child)
            // The exit code is the closure's, and the daemon did not outlive the child.
            #expect(child.exitCode == ending.expectedCode)
            #expect(TestClock.waitUntil(timeout: 5) { procState(daemonPID) == nil })
        }
    }
}
