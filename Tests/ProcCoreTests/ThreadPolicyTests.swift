import CProcShim
import ProcCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ForkingTests {
    /// ForkThreadPolicy: the test process runs several threads.
    @Suite struct ThreadPolicyTests {
        /// Runs `body` while a thread of our own exists, so the process surely has two.
        private func withExtraThread(_ body: () throws -> Void) throws {
            let (readEnd, writeEnd) = try makePipe()
            let box = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
            box.pointee = readEnd
            var thread = pthread_t()
            try #require(pthread_create(&thread, nil, { arg in
                var byte: UInt8 = 0
                var count = 0
                _ = pc_read(arg!.assumingMemoryBound(to: Int32.self).pointee, &byte, 1, &count)
                return nil
            }, box) == 0)
            defer {
                var byte: UInt8 = 0
                _ = pc_write_all(writeEnd, &byte, 1)
                pthread_join(thread, nil)
                _ = pc_close(readEnd)
                _ = pc_close(writeEnd)
                box.deallocate()
            }
            var threads: Int32 = 0
            try #require(pc_thread_count(&threads) == 0)
            try #require(threads > 1)
            try body()
        }

        @Test func refuseThrowsMultithreadedParent() throws {
            try withExtraThread {
                let child = ChildProcess(threadPolicy: .refuse) { exit(99) }
                #expect(processError { try child.start() } == ProcessError(.multithreadedParent, operation: "start"))
                #expect(child.pid == nil, "no child may have been forked")
                #expect(child.exitCode == nil)
            }
        }

        @Test func warnAndAllowStillFork() throws {
            try withExtraThread {
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
            try withExtraThread {
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
