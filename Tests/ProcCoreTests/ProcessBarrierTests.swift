import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// ProcessBarrier: N processes meet, twice; a wait that times out leaves it usable.
    @Suite struct ProcessBarrierTests {
        @Test func fourProcessesMeetTwice() throws {
            let barrier = try ProcessBarrier(parties: 4)
            // Each process's place at each meeting, and how many had passed the first
            // meeting when each arrived at it (0: nobody got through before all came).
            let places = try SharedArray(repeating: -1, count: 8)
            let passed = try SharedValue(0)
            let early = try SharedArray(repeating: -1, count: 4)
            let meet = { (index: Int) throws in
                try early.store(try passed.load(), at: index)
                try places.store(try barrier.wait(timeout: .seconds(10)), at: index)
                try passed.withLock { $0 += 1 }
                try places.store(try barrier.wait(timeout: .seconds(10)), at: 4 + index)
            }
            let children = try (1..<4).map { index in try startChild { try meet(index) } }
            defer { children.forEach(stop) }
            try meet(0)
            for child in children { finish(child) }
            #expect(children.map(\.exitCode) == [0, 0, 0])
            let all = try places.load()
            #expect(all[0..<4].sorted() == [0, 1, 2, 3])
            #expect(all[4..<8].sorted() == [0, 1, 2, 3])
            #expect(try early.load() == [0, 0, 0, 0], "a process passed the barrier before all four arrived")
        }

        @Test func aWaitThatTimesOutLeavesTheBarrier() throws {
            let barrier = try ProcessBarrier(parties: 2)
            #expect(barrier.parties == 2)
            let before = pc_monotonic_ns()
            let error = processError { try barrier.wait(timeout: .milliseconds(100)) }
            #expect(error?.code == .timedOut)
            #expect(seconds(since: before) >= 0.099)
            // The timed-out wait no longer counts: a lone child must still wait for the parent.
            let child = try startChild { try barrier.wait(timeout: .seconds(10)) }
            defer { stop(child) }
            #expect(try child.join(timeout: .milliseconds(100)) == false, "the barrier opened for one process")
            try barrier.wait(timeout: .seconds(10))
            finish(child)
            #expect(child.exitCode == 0)
        }

        /// CPython's _TestBarrier runs its function in N parties: here the parent and
        /// N - 1 forked children. Returns the children's exit codes (0: `body` returned).
        private static func runParties(_ count: Int, _ body: @escaping () throws -> Void) throws -> [Int32?] {
            let children = try (1..<count).map { _ in try startChild(body) }
            defer { children.forEach(stop) }
            try body()
            children.forEach { finish($0) }
            return children.map(\.exitCode)
        }

        /// Counters shared by the parties, as CPython's `results` lists.
        private static func counters(_ count: Int) throws -> SharedArray<Int> {
            try SharedArray(repeating: 0, count: count)
        }

        private static func add(_ counters: SharedArray<Int>, _ index: Int) throws {
            try counters.withLock { $0[index] += 1 }
        }

        /// CPython's test_barrier_10: ten passes in lockstep; no one waits at the end.
        @Test func partiesPassInLockstep() throws {
            let barrier = try ProcessBarrier(parties: 5, timeout: .seconds(30))
            let results = try Self.counters(2)
            let codes = try Self.runParties(5) {
                for pass in 0..<10 {
                    try Self.add(results, 0)
                    guard try results.load(at: 1) == pass * 5 else { throw ChildProcess.Exit(2) }
                    try barrier.wait()
                    try Self.add(results, 1)
                    guard try results.load(at: 0) == (pass + 1) * 5 else { throw ChildProcess.Exit(3) }
                    try barrier.wait()
                }
            }
            #expect(codes == [0, 0, 0, 0])
            #expect(try barrier.waitingCount == 0)
            #expect(try barrier.isBroken == false)
        }

        /// CPython's test_action: the action runs once, in one of the parties, before any goes on.
        @Test func theActionRunsOnceBeforeAnyPartyGoesOn() throws {
            let runs = try Self.counters(1)
            let barrier = try ProcessBarrier(parties: 5) { try Self.add(runs, 0) }
            let codes = try Self.runParties(5) {
                try barrier.wait(timeout: .seconds(30))
                guard try runs.load(at: 0) == 1 else { throw ChildProcess.Exit(2) }
            }
            #expect(codes == [0, 0, 0, 0])
            #expect(try runs.load(at: 0) == 1)
        }

        /// An action that throws breaks the barrier: the tripping party and the others all
        /// get `.brokenBarrier`.
        @Test func anActionThatThrowsBreaksTheBarrier() throws {
            struct Refused: Error {}
            let barrier = try ProcessBarrier(parties: 3, timeout: .seconds(30)) { throw Refused() }
            let broken = try Self.counters(1)
            let codes = try Self.runParties(3) {
                do { try barrier.wait() } catch let error as ProcessError where error.code == .brokenBarrier { try Self.add(broken, 0) }
            }
            #expect(codes == [0, 0])
            #expect(try broken.load(at: 0) == 3)
            #expect(try barrier.isBroken)
        }

        /// CPython's test_abort: the party placed N/2 aborts instead of waiting again; every
        /// other party's second wait fails, and the barrier stays broken.
        @Test func abortBreaksTheBarrierForEveryWaiter() throws {
            let barrier = try ProcessBarrier(parties: 5, timeout: .seconds(30))
            let results = try Self.counters(2)
            let codes = try Self.runParties(5) {
                do {
                    if try barrier.wait() == 2 {
                        try barrier.abort()
                        return
                    }
                    try barrier.wait()
                    try Self.add(results, 0)
                } catch let error as ProcessError where error.code == .brokenBarrier {
                    try Self.add(results, 1)
                }
            }
            #expect(codes == [0, 0, 0, 0])
            #expect(try results.load() == [0, 4])
            #expect(try barrier.isBroken)
            #expect(try barrier.waitingCount == 0)
            #expect(processError { try barrier.wait(timeout: .seconds(10)) }?.code == .brokenBarrier)
        }

        /// CPython's test_reset: the party placed N/2 waits until the others wait, resets the
        /// barrier (they fail), then all five meet again.
        @Test func resetFailsTheWaitersAndMakesTheBarrierNew() throws {
            let barrier = try ProcessBarrier(parties: 5, timeout: .seconds(30))
            let results = try Self.counters(3)
            let codes = try Self.runParties(5) {
                if try barrier.wait() == 2 {
                    let deadline = pc_monotonic_ns() + 10_000_000_000
                    while try barrier.waitingCount < 4 {
                        guard pc_monotonic_ns() < deadline else { throw ChildProcess.Exit(2) }
                        sched_yield()
                    }
                    try barrier.reset()
                } else {
                    do {
                        try barrier.wait()
                        try Self.add(results, 0)
                    } catch let error as ProcessError where error.code == .brokenBarrier {
                        try Self.add(results, 1)
                    }
                }
                try barrier.wait()
                try Self.add(results, 2)
            }
            #expect(codes == [0, 0, 0, 0])
            #expect(try results.load() == [0, 4, 5])
        }

        /// CPython's test_abort_and_reset: a broken barrier is usable again after reset.
        @Test func aBrokenBarrierIsUsableAfterReset() throws {
            let barrier = try ProcessBarrier(parties: 5, timeout: .seconds(30))
            let second = try ProcessBarrier(parties: 5, timeout: .seconds(30))
            let results = try Self.counters(3)
            let codes = try Self.runParties(5) {
                do {
                    if try barrier.wait() == 2 {
                        try barrier.abort()
                    } else {
                        try barrier.wait()
                        try Self.add(results, 0)
                    }
                } catch let error as ProcessError where error.code == .brokenBarrier {
                    try Self.add(results, 1)
                }
                // All have left the broken barrier before the reset, and none enters it before.
                if try second.wait() == 2 { try barrier.reset() }
                try second.wait()
                try barrier.wait()
                try Self.add(results, 2)
            }
            #expect(codes == [0, 0, 0, 0])
            #expect(try results.load() == [0, 4, 5])
            #expect(try barrier.isBroken == false)
        }

        /// CPython's test_default_timeout, the late party made late by the parent instead of
        /// a sleep: each wait gives up after the barrier's own timeout.
        @Test func theDefaultTimeoutLimitsEveryWait() throws {
            let barrier = try ProcessBarrier(parties: 3, timeout: .milliseconds(100))
            #expect(barrier.timeout == .milliseconds(100))
            let timedOut = try ProcessSemaphore(value: 0)
            let children = try (0..<2).map { _ in
                try startChild {
                    do { try barrier.wait() } catch let error as ProcessError where error.code == .timedOut { try timedOut.release() }
                }
            }
            defer { children.forEach(stop) }
            for _ in 0..<2 { #expect(try timedOut.acquire(timeout: .seconds(10))) }
            let before = pc_monotonic_ns()
            #expect(processError { try barrier.wait() }?.code == .timedOut)
            #expect(seconds(since: before) >= 0.099)
            children.forEach { finish($0) }
            #expect(children.map(\.exitCode) == [0, 0])
            #expect(try barrier.waitingCount == 0)
            #expect(try barrier.isBroken == false)
        }

        @Test func aBarrierOfOneNeverWaits() throws {
            let barrier = try ProcessBarrier(parties: 1)
            #expect(try barrier.wait(timeout: .zero) == 0)
            #expect(processError { _ = try ProcessBarrier(parties: 0) }?.code == .invalidArgument)
        }
    }
}
