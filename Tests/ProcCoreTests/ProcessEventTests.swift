import CProcShim
import ProcCore
import ProcTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ForkingTests {
    /// ProcessEvent: set, clear, isSet, and waits with timeouts across processes.
    @Suite struct ProcessEventTests {
        @Test func waitTimesOutUntilSetThenReturnsAtOnce() throws {
            let event = try ProcessEvent()
            #expect(try event.isSet == false)
            let before = pc_monotonic_ns()
            #expect(try event.wait(timeout: .milliseconds(100)) == false)
            let waited = seconds(since: before)
            #expect(waited >= 0.099, "wait(timeout:) returned before its timeout")
            #expect(waited < 5)
            try event.set()
            #expect(try event.isSet)
            #expect(try event.wait(timeout: .zero))
            try event.wait()
            try event.clear()
            #expect(try event.isSet == false)
            #expect(try event.wait(timeout: .milliseconds(10)) == false)
        }

        @Test func setWakesEveryWaitingProcess() throws {
            let event = try ProcessEvent()
            let waiters = try (0..<3).map { _ in
                try startChild {
                    guard try event.wait(timeout: .seconds(10)) else { throw ChildProcess.Exit(2) }
                }
            }
            defer { waiters.forEach(stop) }
            #expect(try waiters[0].join(timeout: .milliseconds(100)) == false, "a waiter went on before the event was set")
            try event.set()
            for waiter in waiters { finish(waiter) }
            #expect(waiters.map(\.exitCode) == [0, 0, 0])
        }

        @Test func aChildSetsWhatTheParentWaitsFor() throws {
            let event = try ProcessEvent()
            let child = try startChild {
                TestClock.sleep(0.05)
                try event.set()
            }
            defer { stop(child) }
            #expect(try event.wait(timeout: .seconds(10)))
            finish(child)
            #expect(child.exitCode == 0)
        }
    }
}
