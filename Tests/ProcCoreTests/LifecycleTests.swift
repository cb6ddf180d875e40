import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// join, join(timeout:), isAlive, pid and name.
    @Suite struct LifecycleTests {
        @Test func joinWithTimeoutIsFalseWhileRunningAndTrueAfter() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            let before = pc_monotonic_ns()
            #expect(try child.join(timeout: .milliseconds(100)) == false)
            #expect(seconds(since: before) >= 0.099, "join(timeout:) returned before its timeout")
            #expect(try child.join(timeout: .zero) == false)
            #expect(try child.isAlive)
            #expect(child.exitCode == nil)
            try child.kill()
            #expect(try child.join(timeout: .seconds(10)) == true)
            #expect(child.exitCode == -SIGKILL)
            // Joined already: both joins return at once.
            #expect(try child.join(timeout: .zero) == true)
            try child.join()
        }

        /// The pidfd is opened when first asked for (not at the fork), then kept until the
        /// child is reaped; it signals the child and becomes readable when it ends.
        @Test func processDescriptorIsOpenedOnceAndFollowsTheChild() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            #expect(child.processDescriptor == nil)
            try child.start()
            defer { stop(child) }
            let pidfd = try #require(child.processDescriptor).rawValue
            #expect(child.processDescriptor?.rawValue == pidfd)
            #expect(pc_pidfd_send_signal(pidfd, 0) == 0)
            try child.terminate()
            var ended = false
            #expect(pc_wait_ended(try #require(child.pid), pidfd, 10_000, &ended) == 0)
            #expect(ended)
            #expect(child.exitCode == -SIGTERM)
            #expect(child.processDescriptor == nil)
        }

        @Test(arguments: [Duration.milliseconds(-500), .nanoseconds(-1), .seconds(-2), .milliseconds(-1500)])
        func joinWithNegativeTimeoutReturnsAtOnce(timeout: Duration) throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            let pid = try #require(child.pid)
            // A watchdog bounds the test should join block: it kills the child after 5 s,
            // and the join then returns true, failing the test instead of hanging it.
            let watchdog = ChildProcess(executing: Program("/bin/sh", arguments: ["-c", "sleep 5; kill -9 \(pid)"]))
            try watchdog.start()
            defer { stop(watchdog) }
            let ended = try child.join(timeout: timeout)
            stop(watchdog)
            #expect(ended == false, "join(timeout: \(timeout)) waited for the child instead of returning at once")
            #expect(try child.isAlive)
        }

        @Test func joinWithHugeTimeoutDoesNotTrap() throws {
            // Run in a child: an arithmetic overflow trap there ends only that child.
            let child = ChildProcess(threadPolicy: .allow) {
                let grandchild = ChildProcess(threadPolicy: .allow) {}
                try grandchild.start()
                for timeout in [Duration.seconds(Int64.max), .seconds(10_000_000_000_000_000), .seconds(3_000_000)] {
                    guard try grandchild.join(timeout: timeout) else { throw ChildProcess.Exit(30) }
                }
                throw ChildProcess.Exit(grandchild.exitCode == 0 ? 0 : 31)
            }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0, "a negative exit code is the signal of a trap")
        }

        @Test func joinWithTimeoutSeesAChildThatEndsByItself() throws {
            let child = ChildProcess(threadPolicy: .allow) { usleep(50_000) }
            try child.start()
            defer { stop(child) }
            #expect(try child.join(timeout: .seconds(10)))
            #expect(child.exitCode == 0)
            let pid = try #require(child.pid)
            #expect(isNotOurChild(pid))
        }

        @Test func isAliveFollowsTheChild() throws {
            // The child ends when it reads a byte: alive for as long as the test needs.
            let (goRead, goWrite) = try makePipe()
            defer { _ = pc_close(goRead); _ = pc_close(goWrite) }
            let child = ChildProcess(threadPolicy: .allow) {
                var byte: UInt8 = 0
                var count = 0
                _ = pc_read(goRead, &byte, 1, &count)
            }
            #expect(try child.isAlive == false)
            try child.start()
            defer { stop(child) }
            let pid = try #require(child.pid)
            #expect(try child.isAlive)
            #expect(try child.isAlive)
            var go: UInt8 = 1
            #expect(pc_write_all(goWrite, &go, 1) == 0)
            // isAlive turns false by itself once the child ends, and reaps it.
            #expect(TestClock.waitUntil(timeout: 10) { (try? child.isAlive) == false })
            #expect(try child.isAlive == false)
            #expect(child.exitCode == 0)
            #expect(isNotOurChild(pid))
            try child.join()
        }

        @Test func isAliveIsFalseAfterTerminate() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            #expect(try child.isAlive)
            try child.terminate()
            finish(child)
            #expect(try child.isAlive == false)
            #expect(child.exitCode == -SIGTERM)
        }

        /// CPython's test_interrupt and test_interrupt_no_handler: SIGINT through the pidfd
        /// ends a child with no handler as -SIGINT; one that handles it (Python's
        /// KeyboardInterrupt) ends as its handler says.
        @Test func interruptSendsSIGINT() throws {
            let started = try ProcessEvent()
            let plain = try startChild {
                try started.set()
                sleep(30)
            }
            defer { stop(plain) }
            #expect(try started.wait(timeout: .seconds(10)))
            try plain.interrupt()
            finish(plain)
            #expect(plain.exitCode == -SIGINT)
            try plain.interrupt()  // ended: does nothing

            try started.clear()
            let handling = try startChild {
                signal(SIGINT) { _ in _exit(1) }
                try started.set()
                sleep(30)
            }
            defer { stop(handling) }
            #expect(try started.wait(timeout: .seconds(10)))
            try handling.interrupt()
            finish(handling)
            #expect(handling.exitCode == 1)
            #expect(processError { try ChildProcess(threadPolicy: .allow) {}.interrupt() }?.code == .notStarted)
        }

        @Test func pidIsNilBeforeStartThenTheChildsOwn() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            let child = ChildProcess(threadPolicy: .allow) { _ = writePIDs([getpid(), getppid()], to: writeEnd) }
            #expect(child.pid == nil)
            try child.start()
            defer { stop(child) }
            let reported = try #require(readPIDs(2, from: readEnd))
            #expect(child.pid == reported[0])
            #expect(reported[1] == getpid())
            try child.join()
            // The pid stays readable after the end and after close.
            #expect(child.pid == reported[0])
            try child.close()
            #expect(child.pid == reported[0])
        }

        @Test func namesDefaultToProcessN() throws {
            let first = ChildProcess(threadPolicy: .allow) {}
            let second = ChildProcess(threadPolicy: .allow) {}
            let named = ChildProcess(name: "worker", threadPolicy: .allow) {}
            func number(_ name: String) -> Int? {
                guard name.hasPrefix("Process-") else { return nil }
                return Int(name.dropFirst("Process-".count))
            }
            let n1 = try #require(number(first.name), "\(first.name)")
            let n2 = try #require(number(second.name), "\(second.name)")
            #expect(n1 >= 1)
            #expect(n2 > n1)
            #expect(named.name == "worker")
        }

        @Test func nameIsVisibleInTheChild() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            var handle: ChildProcess?
            let child = ChildProcess(name: "named-child", threadPolicy: .allow) {
                let bytes = Array((handle?.name ?? "?").utf8)
                _ = pc_write_all(writeEnd, bytes, bytes.count)
            }
            handle = child
            defer { handle = nil }
            try child.start()
            defer { stop(child) }
            #expect(String(decoding: read(readEnd, exactly: 11), as: UTF8.self) == "named-child")
            finish(child)
        }

        @Test func closeAfterTheEndKeepsExitCodeAndPid() throws {
            let child = ChildProcess(threadPolicy: .allow) { throw ChildProcess.Exit(5) }
            try child.start()
            defer { stop(child) }
            finish(child)
            let pid = child.pid
            try child.close()
            try child.close()  // closing twice is harmless
            #expect(child.exitCode == 5)
            #expect(child.pid == pid)
        }

        @Test func closeOfAnEndedButUnjoinedChildReapsIt() throws {
            let child = ChildProcess(threadPolicy: .allow) {}
            try child.start()
            defer { stop(child) }
            let pid = try #require(child.pid)
            // Ended (a zombie) but not joined.
            #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == "Z" })
            try child.close()
            #expect(child.exitCode == 0)
            #expect(isNotOurChild(pid))
        }
    }
}
