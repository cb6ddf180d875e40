import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

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

        @Test func aWaiterKilledInItsWaitDoesNotBlockTheNextSet() throws {
            // With glibc's pthread_cond_t a waiter killed in its wait left references behind
            // and the next broadcast waited for it for ever. set() runs in a child here, so
            // that a hang fails the test instead of stopping it.
            let event = try ProcessEvent()
            for _ in 0..<3 {
                let ready = try ReadySignal()
                defer { ready.close() }
                let victim = try startChild {
                    ready.send()
                    _ = try event.wait(timeout: .seconds(30))
                }
                defer { stop(victim) }
                let victimPID = try #require(victim.pid)
                #expect(ready.wait())
                #expect(TestClock.waitUntil(timeout: 5) { procState(victimPID) == "S" }, "the victim never slept")
                TestClock.sleep(0.01)
                try victim.kill()
                finish(victim)
                let waiter = try startChild {
                    guard try event.wait(timeout: .seconds(10)) else { throw ChildProcess.Exit(2) }
                }
                defer { stop(waiter) }
                #expect(try waiter.join(timeout: .milliseconds(50)) == false)
                let setter = try startChild { try event.set() }
                defer { stop(setter) }
                #expect(try setter.join(timeout: .seconds(5)), "set() hung after a waiter was killed in its wait")
                finish(waiter)
                #expect(waiter.exitCode == 0)
                try event.clear()
            }
        }
    }
}
