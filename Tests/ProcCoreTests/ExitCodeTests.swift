import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// `exitCode` follows Python: nil while running, 0, 1, N, -N.
    @Suite struct ExitCodeTests {
        private struct Failure: Error {}

        @Test func returningClosureExitsWithZero() throws {
            let child = ChildProcess(threadPolicy: .allow) {}
            #expect(child.exitCode == nil)
            try child.start()
            defer { stop(child) }
            try child.join()
            #expect(child.exitCode == 0)
        }

        @Test func throwingClosureExitsWithOne() throws {
            let child = ChildProcess(name: "thrower", threadPolicy: .allow) { throw Failure() }
            try child.start()
            defer { stop(child) }
            try child.join()
            #expect(child.exitCode == 1)
        }

        @Test(arguments: [0, 2, 7, 255] as [Int32])
        func thrownExitEndsWithItsCode(code: Int32) throws {
            let child = ChildProcess(threadPolicy: .allow) { throw ChildProcess.Exit(code) }
            try child.start()
            defer { stop(child) }
            try child.join()
            #expect(child.exitCode == code)
        }

        @Test(arguments: [3, 42] as [Int32])
        func exitCalledInClosureEndsWithItsCode(code: Int32) throws {
            let child = ChildProcess(threadPolicy: .allow) { exit(code) }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == code)
        }

        @Test func terminateEndsWithMinusFifteen() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            #expect(child.exitCode == nil)
            try child.terminate()
            finish(child)
            #expect(child.exitCode == -SIGTERM)
        }

        @Test func killEndsWithMinusNine() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            try child.kill()
            finish(child)
            #expect(child.exitCode == -SIGKILL)
        }

        @Test func anySignalEndsWithMinusItsNumber() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            try child.send(signal: .userDefinedOne)
            finish(child)
            #expect(child.exitCode == -SIGUSR1)
        }

        @Test func signalRaisedByTheChildItselfIsReported() throws {
            let child = ChildProcess(threadPolicy: .allow) { raise(SIGABRT) }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == -SIGABRT)
        }

        @Test func exitCodeIsNilWhileRunningAndReapsOnceEnded() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            // The child ends once it reads a byte: no timing involved.
            let child = ChildProcess(threadPolicy: .allow) {
                var byte: UInt8 = 0
                var count = 0
                _ = pc_read(readEnd, &byte, 1, &count)
                throw ChildProcess.Exit(Int32(byte))
            }
            try child.start()
            defer { stop(child); _ = pc_close(writeEnd) }
            #expect(child.exitCode == nil)
            #expect(child.exitCode == nil)
            var byte: UInt8 = 9
            #expect(pc_write_all(writeEnd, &byte, 1) == 0)
            // Reading exitCode polls: it turns to 9 by itself, without a join.
            #expect(TestClock.waitUntil(timeout: 10) { child.exitCode != nil })
            #expect(child.exitCode == 9)
            let pid = try #require(child.pid)
            #expect(isNotOurChild(pid))
        }

        @Test func terminateAndKillAfterTheEndDoNothing() throws {
            let child = ChildProcess(threadPolicy: .allow) {}
            try child.start()
            defer { stop(child) }
            try child.join()
            try child.terminate()
            try child.kill()
            #expect(child.exitCode == 0)
        }

        @Test func printedLinesAppearOnceThroughAPipe() throws {
            // An intermediate child points its stdout at a pipe (fully buffered there),
            // leaves a line pending and starts a grandchild that prints with `print`.
            let child = ChildProcess(threadPolicy: .allow) {
                var fds: [Int32] = [-1, -1]
                guard pc_pipe(&fds) == 0 else { throw ChildProcess.Exit(39) }
                let (readEnd, writeEnd) = (fds[0], fds[1])
                fflush(nil)
                guard dup2(writeEnd, 1) == 1 else { throw ChildProcess.Exit(40) }
                _ = pc_close(writeEnd)
                print("pending in the child", terminator: "")
                let grandchild = ChildProcess(threadPolicy: .allow) { print("from the grandchild") }
                try grandchild.start()
                try grandchild.join()
                print()
                fflush(nil)
                // The pending text has no newline: count occurrences, not lines.
                let output = text(drain(readEnd))
                if output.split(separator: "pending in the child", omittingEmptySubsequences: false).count != 2 {
                    throw ChildProcess.Exit(41)
                }
                if output.split(separator: "from the grandchild", omittingEmptySubsequences: false).count != 2 {
                    throw ChildProcess.Exit(42)
                }
                if grandchild.exitCode != 0 { throw ChildProcess.Exit(43) }
            }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0, "41: pending line not printed exactly once; 42: grandchild's line lost or doubled")
        }
    }
}
