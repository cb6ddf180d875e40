import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// ProcessSemaphore: counts, the bounded form, timeouts, and waking a waiting process.
    @Suite struct ProcessSemaphoreTests {
        @Test func countsDownToZeroAndBackUp() throws {
            let semaphore = try ProcessSemaphore(value: 2)
            #expect(try semaphore.value == 2)
            #expect(try semaphore.tryAcquire())
            #expect(try semaphore.acquire(timeout: .zero))
            #expect(try semaphore.tryAcquire() == false)
            #expect(try semaphore.value == 0)
            try semaphore.release()
            try semaphore.release()
            try semaphore.release()   // unbounded: beyond the initial value is allowed
            #expect(try semaphore.value == 3)
        }

        @Test func boundedSemaphoreRefusesAReleaseBeyondItsMaximum() throws {
            let semaphore = try ProcessSemaphore(value: 1, maximum: 1)
            let error = processError { try semaphore.release() }
            #expect(error?.code == .semaphoreOverflow)
            #expect(try semaphore.value == 1, "the refused release changed the count")
            try semaphore.acquire()
            try semaphore.release()
            #expect(processError { try semaphore.release() }?.code == .semaphoreOverflow)
        }

        @Test(arguments: [(-1, nil), (3, 2), (0, -1)] as [(Int, Int?)])
        func impossibleCountsAreInvalidArguments(value: Int, maximum: Int?) {
            let error = processError { _ = try ProcessSemaphore(value: value, maximum: maximum) }
            #expect(error?.code == .invalidArgument)
        }

        @Test func acquireTimesOutAtZero() throws {
            let semaphore = try ProcessSemaphore(value: 0)
            let before = pc_monotonic_ns()
            #expect(try semaphore.acquire(timeout: .milliseconds(100)) == false)
            let waited = seconds(since: before)
            #expect(waited >= 0.099, "acquire(timeout:) returned before its timeout")
            #expect(waited < 5)
            #expect(try semaphore.acquire(timeout: .seconds(-1)) == false)
        }

        @Test func releaseWakesAProcessWaitingToAcquire() throws {
            let semaphore = try ProcessSemaphore(value: 0)
            let waiter = try startChild {
                guard try semaphore.acquire(timeout: .seconds(10)) else { throw ChildProcess.Exit(2) }
            }
            defer { stop(waiter) }
            #expect(try waiter.join(timeout: .milliseconds(100)) == false, "acquired a zero semaphore")
            try semaphore.release()
            finish(waiter)
            #expect(waiter.exitCode == 0)
            #expect(try semaphore.value == 0)
        }

        @Test func noMoreProcessesInsideThanTheCount() throws {
            let semaphore = try ProcessSemaphore(value: 2, maximum: 2)
            // [inside now, most inside at once]
            let tally = try SharedArray(repeating: 0, count: 2)
            let gate = try StartGate()
            defer { gate.close() }
            let children = try (0..<5).map { _ in
                try startChild {
                    gate.pass()
                    for _ in 0..<5 {
                        guard try semaphore.acquire(timeout: .seconds(10)) else { throw ChildProcess.Exit(2) }
                        try tally.withLock { counts in
                            counts[0] += 1
                            counts[1] = max(counts[1], counts[0])
                        }
                        TestClock.sleep(0.002)
                        try tally.withLock { $0[0] -= 1 }
                        try semaphore.release()
                    }
                }
            }
            defer { children.forEach(stop) }
            gate.open()
            for child in children { finish(child) }
            #expect(children.map(\.exitCode) == [0, 0, 0, 0, 0])
            let counts = try tally.load()
            #expect(counts[0] == 0)
            #expect(counts[1] >= 1 && counts[1] <= 2, "\(counts[1]) processes held a semaphore of 2 at once")
            #expect(try semaphore.value == 2)
        }
    }
}
