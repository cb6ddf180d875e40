@testable import ProcCore
import Testing

@Suite struct PoolRampTests {
    @Test func forksOneThenTwoThenFourWhileEveryWorkerIsBusy() {
        var ramp = PoolRamp(idleExit: .seconds(10))
        var live = 2
        var batches: [Int] = []
        for _ in 0..<4 {
            let count = ramp.workersToFork(live: live, idle: 0, maximum: 20)
            batches.append(count)
            live += count
        }
        #expect(batches == [1, 2, 4, 8])
    }

    @Test func stopsAtTheMaximumAndStartsOverOnceAWorkerIsIdle() {
        var ramp = PoolRamp(idleExit: .seconds(10))
        #expect(ramp.workersToFork(live: 3, idle: 0, maximum: 4) == 1)
        #expect(ramp.workersToFork(live: 4, idle: 0, maximum: 4) == 0)
        #expect(ramp.rate == 1)
        #expect(ramp.workersToFork(live: 2, idle: 0, maximum: 4) == 1)
        #expect(ramp.workersToFork(live: 3, idle: 1, maximum: 4) == 0)
        #expect(ramp.workersToFork(live: 3, idle: 0, maximum: 4) == 1)
    }

    @Test func theBatchNeverPassesThirtyTwo() {
        var ramp = PoolRamp(idleExit: .seconds(10))
        let batches = (0..<10).map { _ in ramp.workersToFork(live: 1, idle: 0, maximum: 10_000) }
        #expect(batches.max() == PoolRamp.maximumRate)
    }

    @Test func retiresTheExtraWorkerIdleTheLongestOnceItIsIdleLongEnough() {
        let ramp = PoolRamp(idleExit: .seconds(2))
        func second(_ count: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: count * 1_000_000_000) }
        let idle = [(key: "a", since: second(5)), (key: "b", since: second(1)), (key: "c", since: second(4))]
        #expect(ramp.workerToRetire(live: 4, minimum: 2, idleSince: idle, now: second(3)) == "b")
        #expect(ramp.workerToRetire(live: 4, minimum: 2, idleSince: idle, now: second(2)) == nil)
        // Never below the minimum.
        #expect(ramp.workerToRetire(live: 2, minimum: 2, idleSince: idle, now: second(100)) == nil)
        #expect(ramp.workerToRetire(live: 4, minimum: 2, idleSince: [(key: String, since: MonotonicInstant)](), now: second(100)) == nil)
    }
}
