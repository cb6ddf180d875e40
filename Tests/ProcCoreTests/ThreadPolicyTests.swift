import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// ForkThreadPolicy: the test process runs several threads.
    @Suite struct ThreadPolicyTests {
        /// Runs `body` while the process surely has two threads.
        private func withTwoThreads(_ body: () throws -> Void) throws {
            try withExtraThread {
                var threads: Int32 = 0
                try #require(pc_thread_count(&threads) == 0)
                try #require(threads > 1)
                try body()
            }
        }

        @Test func refuseThrowsMultithreadedParent() throws {
            try withTwoThreads {
                let child = ChildProcess(threadPolicy: .refuse) { exit(99) }
                #expect(processError { try child.start() } == ProcessError(.multithreadedParent, operation: "start"))
                #expect(child.pid == nil, "no child may have been forked")
                #expect(child.exitCode == nil)
            }
        }

        @Test func warnAndAllowStillFork() throws {
            try withTwoThreads {
                for policy in [ForkThreadPolicy.warn, .allow] {
                    let child = ChildProcess(threadPolicy: policy) { throw ChildProcess.Exit(6) }
                    try child.start()
                    defer { stop(child) }
                    finish(child)
                    #expect(child.exitCode == 6)
                }
            }
        }

        @Test func refuseAllowsASingleThreadedParent() throws {
            // A forked child is single-threaded: there, .refuse lets it start its own child.
            let child = ChildProcess(threadPolicy: .allow) {
                let grandchild = ChildProcess(threadPolicy: .refuse) { throw ChildProcess.Exit(8) }
                try grandchild.start()
                try grandchild.join()
                throw ChildProcess.Exit(grandchild.exitCode ?? 50)
            }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 8)
        }

        @Test func programsIgnoreThePolicy() throws {
            try withTwoThreads {
                let child = ChildProcess(executing: Program("/bin/true"))
                #expect(child.threadPolicy == .allow)
                try child.start()
                defer { stop(child) }
                finish(child)
                #expect(child.exitCode == 0)
            }
        }
    }
}
