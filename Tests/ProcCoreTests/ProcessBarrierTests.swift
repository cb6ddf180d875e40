import CProcShim
import ProcCore
import ProcTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

        @Test func aBarrierOfOneNeverWaits() throws {
            let barrier = try ProcessBarrier(parties: 1)
            #expect(try barrier.wait(timeout: .zero) == 0)
            #expect(processError { _ = try ProcessBarrier(parties: 0) }?.code == .invalidArgument)
        }
    }
}
