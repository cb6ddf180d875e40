import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// SharedValue and SharedArray: what a child writes the parent reads; locked updates lose nothing.
    @Suite struct SharedValueTests {
        struct Point: Equatable {
            var x: Double
            var y: Int32
            var visible: Bool
        }

        @Test func aChildsStoreIsWhatTheParentLoads() throws {
            let number = try SharedValue(100)
            let point = try SharedValue(Point(x: 1.5, y: -2, visible: false))
            let child = try startChild {
                try number.store(0)
                try point.withLock { $0.visible = true; $0.y = 9 }
            }
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
            #expect(try number.load() == 0)
            #expect(try point.load() == Point(x: 1.5, y: 9, visible: true))
        }

        @Test func fourProcessesTimesAHundredThousandLockedIncrementsLoseNothing() throws {
            let counter = try SharedValue(0)
            let increments = 100_000
            let gate = try StartGate()
            defer { gate.close() }
            let children = try (0..<4).map { _ in
                try startChild {
                    gate.pass()
                    for _ in 0..<increments { try counter.withLock { $0 += 1 } }
                }
            }
            defer { children.forEach(stop) }
            gate.open()
            for child in children { finish(child, within: 60) }
            #expect(children.map(\.exitCode) == [0, 0, 0, 0])
            #expect(try counter.load() == 4 * increments)
        }

        @Test func aHolderKilledMidUpdateIsReportedOnceThenTheValueIsUsable() throws {
            let value = try SharedValue(Int64(5))
            let holder = try startChild {
                try value.lock.lock()
                kill(getpid(), SIGKILL)
            }
            defer { stop(holder) }
            finish(holder)
            #expect(holder.exitCode == -SIGKILL)
            #expect(processError { _ = try value.load() }?.code == .ownerDied)
            #expect(try value.load() == 5)
            try value.store(6)
            #expect(try value.withLock { $0 } == 6)
        }

        @Test func childrenFillTheirSlotsOfASharedArray() throws {
            let slots = try SharedArray(repeating: 0.0, count: 4)
            #expect(slots.count == 4)
            let children = try (0..<4).map { index in try startChild { try slots.store(Double(index) * 1.5, at: index) } }
            defer { children.forEach(stop) }
            for child in children { finish(child) }
            #expect(try slots.load() == [0.0, 1.5, 3.0, 4.5])
            #expect(try slots.load(at: 3) == 4.5)
            #expect(try slots.withLock { $0.reduce(0, +) } == 9.0)
        }

        @Test func arrayIndexesOutOfRangeAndBadCountsAreErrorsNotTraps() throws {
            let bytes = try SharedArray<UInt8>([1, 2, 3])
            #expect(try bytes.load() == [1, 2, 3])
            #expect(processError { _ = try bytes.load(at: 3) }?.code == .invalidArgument)
            #expect(processError { try bytes.store(0, at: -1) }?.code == .invalidArgument)
            #expect(processError { _ = try SharedArray(repeating: 0, count: -1) }?.code == .invalidArgument)
            #expect(processError { _ = try SharedArray(repeating: 0, count: Int.max) }?.code == .invalidArgument)
            let empty = try SharedArray<Int>([])
            #expect(empty.count == 0)
            #expect(try empty.load() == [])
        }

        @Test func withLockTimesOutWhileAnotherProcessHoldsTheLock() throws {
            let value = try SharedValue(1)
            let slots = try SharedArray(repeating: 0, count: 2)
            let ready = try ReadySignal()
            defer { ready.close() }
            let holder = try startChild {
                try value.lock.lock()
                try slots.lock.lock()
                ready.send()
                sleep(30)
            }
            defer { stop(holder) }
            #expect(ready.wait(), "the child never took the locks")
            let before = pc_monotonic_ns()
            #expect(processError { try value.withLock(timeout: .milliseconds(100)) { $0 += 1 } }?.code == .timedOut)
            #expect(seconds(since: before) >= 0.099)
            #expect(processError { try slots.withLock(timeout: .milliseconds(20)) { $0[0] = 1 } }?.code == .timedOut)
            try holder.kill()
            finish(holder)
            // The holder died holding both: told once each, then usable.
            #expect(processError { try value.withLock(timeout: .seconds(5)) { $0 += 1 } }?.code == .ownerDied)
            #expect(try value.withLock(timeout: .seconds(5)) { $0 += 1; return $0 } == 2)
            #expect(processError { _ = try slots.load() }?.code == .ownerDied)
            #expect(try slots.load() == [0, 0])
        }
    }
}
