import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// ProcessCondition across processes, and the recursive ProcessLock.
    @Suite struct ProcessConditionTests {
        @Test func broadcastWakesAProcessWaitingForAPredicate() throws {
            let condition = try ProcessCondition()
            let memory = try SharedMemory(byteCount: 1)
            let flag = memory.bytes.baseAddress!.bindMemory(to: UInt8.self, capacity: 1)
            let waiter = try startChild {
                let woke = try condition.lock.withLock {
                    try condition.wait(timeout: .seconds(10)) { flag.pointee == 1 }
                }
                guard woke else { throw ChildProcess.Exit(2) }
            }
            defer { stop(waiter) }
            #expect(try waiter.join(timeout: .milliseconds(100)) == false, "the waiter went on before the flag was set")
            try condition.lock.withLock { flag.pointee = 1 }
            try condition.broadcast()
            finish(waiter)
            #expect(waiter.exitCode == 0)
        }

        /// CPython's waiter for the notify tests: says it sleeps (holding the lock, so the
        /// parent's notify comes once it waits), waits, says it woke.
        private static func sleeper(
            _ condition: ProcessCondition, _ sleeping: ProcessSemaphore, _ woken: ProcessSemaphore,
            timeout: Duration? = nil
        ) -> () throws -> Void {
            {
                try condition.lock.lock()
                try sleeping.release()
                if let timeout { _ = try condition.wait(timeout: timeout) } else { try condition.wait() }
                try woken.release()
                try condition.lock.unlock()
            }
        }

        /// Acquires `semaphore` `count` times, each within 10 s.
        private static func acquire(_ semaphore: ProcessSemaphore, times count: Int) throws -> Bool {
            for _ in 0..<count { guard try semaphore.acquire(timeout: .seconds(10)) else { return false } }
            return true
        }

        /// CPython's test_notify: each notify wakes one waiter.
        @Test func notifyWakesOneWaiterAtATime() throws {
            let condition = try ProcessCondition()
            let sleeping = try ProcessSemaphore(value: 0), woken = try ProcessSemaphore(value: 0)
            let children = try (0..<2).map { _ in try startChild(Self.sleeper(condition, sleeping, woken)) }
            defer { children.forEach(stop) }
            #expect(try Self.acquire(sleeping, times: 2))
            #expect(try woken.value == 0)
            for round in 1...2 {
                try condition.lock.withLock { try condition.notify() }
                #expect(try Self.acquire(woken, times: 1), "round \(round)")
                #expect(try woken.value == 0, "notify woke more than one waiter")
            }
            children.forEach { finish($0) }
            #expect(children.map(\.exitCode) == [0, 0])
        }

        /// CPython's test_notify_all: waiters that timed out are no longer counted; a
        /// broadcast wakes every waiter, and leaves no notification behind.
        @Test func broadcastWakesEveryWaiterAndTimedOutWaitersLeave() throws {
            let condition = try ProcessCondition()
            let sleeping = try ProcessSemaphore(value: 0), woken = try ProcessSemaphore(value: 0)
            let timed = try (0..<3).map { _ in
                try startChild(Self.sleeper(condition, sleeping, woken, timeout: .milliseconds(100)))
            }
            defer { timed.forEach(stop) }
            #expect(try Self.acquire(sleeping, times: 3))
            #expect(try Self.acquire(woken, times: 3), "the timed waits did not return")
            timed.forEach { finish($0) }

            let waiters = try (0..<3).map { _ in try startChild(Self.sleeper(condition, sleeping, woken)) }
            defer { waiters.forEach(stop) }
            #expect(try Self.acquire(sleeping, times: 3))
            #expect(try woken.value == 0)
            try condition.lock.withLock { try condition.broadcast() }
            #expect(try Self.acquire(woken, times: 3))
            waiters.forEach { finish($0) }
            #expect((timed + waiters).map(\.exitCode) == Array(repeating: 0, count: 6))
            // CPython's check_invariant: no sleeper and no notification left over.
            #expect(try condition.lock.withLock { try condition.wait(timeout: .zero) } == false)
        }

        /// CPython's test_notify_n: notify(count:) wakes exactly that many; more than are
        /// waiting wakes those that are, and nothing is kept for later waits.
        @Test func notifyCountWakesThatManyWaiters() throws {
            let condition = try ProcessCondition()
            let sleeping = try ProcessSemaphore(value: 0), woken = try ProcessSemaphore(value: 0)
            let children = try (0..<6).map { _ in try startChild(Self.sleeper(condition, sleeping, woken)) }
            defer { children.forEach(stop) }
            #expect(try Self.acquire(sleeping, times: 6))
            #expect(try woken.value == 0)
            try condition.lock.withLock { try condition.notify(count: 2) }
            #expect(try Self.acquire(woken, times: 2))
            #expect(try woken.value == 0, "notify(count: 2) woke more than 2")
            try condition.lock.withLock { try condition.notify(count: 4) }
            #expect(try Self.acquire(woken, times: 4))
            try condition.lock.withLock { try condition.notify(count: 3) }
            children.forEach { finish($0) }
            #expect(children.map(\.exitCode) == Array(repeating: 0, count: 6))
            #expect(try woken.value == 0)
            #expect(try condition.lock.withLock { try condition.wait(timeout: .zero) } == false, "notify(count: 3) with no waiter was kept")
            #expect(processError { try condition.notify(count: -1) }?.code == .invalidArgument)
        }

        /// A waiter killed in its wait does not take the notification another waits for.
        @Test func aKilledWaiterDoesNotStrandTheOthers() throws {
            let condition = try ProcessCondition()
            let sleeping = try ProcessSemaphore(value: 0), woken = try ProcessSemaphore(value: 0)
            let doomed = try startChild(Self.sleeper(condition, sleeping, woken))
            defer { stop(doomed) }
            #expect(try Self.acquire(sleeping, times: 1))
            try doomed.kill()
            finish(doomed)
            let live = try startChild(Self.sleeper(condition, sleeping, woken))
            defer { stop(live) }
            #expect(try Self.acquire(sleeping, times: 1))
            try condition.notify()  // without the lock: notify takes it
            #expect(try Self.acquire(woken, times: 1))
            finish(live)
            #expect(live.exitCode == 0)
        }

        /// CPython's test_waitfor: wait(timeout:until:) in both processes, the parent
        /// bumping shared state the child waits to see reach 4.
        @Test func waitForAPredicateSeesEveryChange() throws {
            let condition = try ProcessCondition()
            let memory = try SharedMemory(byteCount: MemoryLayout<Int>.size)
            let state = memory.bytes.baseAddress!.bindMemory(to: Int.self, capacity: 1)
            state.pointee = -1
            let child = try startChild {
                try condition.lock.lock()
                state.pointee = 0
                try condition.notify()
                let reached = try condition.wait(timeout: .seconds(10)) { state.pointee == 4 }
                guard reached, state.pointee == 4 else { throw ChildProcess.Exit(1) }
                try condition.lock.unlock()
            }
            defer { stop(child) }
            #expect(try condition.lock.withLock { try condition.wait(timeout: .seconds(10)) { state.pointee == 0 } })
            for _ in 0..<4 {
                try condition.lock.withLock {
                    state.pointee += 1
                    try condition.notify()
                }
            }
            finish(child)
            #expect(child.exitCode == 0)
        }

        /// CPython's test_waitfor_timeout: a predicate never true returns false after the timeout.
        @Test func waitForAPredicateTimesOut() throws {
            let condition = try ProcessCondition()
            let memory = try SharedMemory(byteCount: MemoryLayout<Int>.size)
            let state = memory.bytes.baseAddress!.bindMemory(to: Int.self, capacity: 1)
            let started = try ProcessSemaphore(value: 0)
            let child = try startChild {
                try started.release()
                try condition.lock.lock()
                let before = pc_monotonic_ns()
                let reached = try condition.wait(timeout: .milliseconds(100)) { state.pointee == 4 }
                guard !reached, seconds(since: before) >= 0.099 else { throw ChildProcess.Exit(1) }
                try condition.lock.unlock()
            }
            defer { stop(child) }
            #expect(try started.acquire(timeout: .seconds(10)))
            for _ in 0..<3 {
                try condition.lock.withLock {
                    state.pointee += 1
                    try condition.notify()
                }
            }
            finish(child)
            #expect(child.exitCode == 0)
        }

        /// CPython's test_wait_result: false on timeout, true when notified.
        @Test func waitSaysWhetherItWasNotified() throws {
            let condition = try ProcessCondition()
            try condition.lock.lock()
            #expect(try condition.wait(timeout: .zero) == false)
            #expect(try condition.wait(timeout: .milliseconds(100)) == false)
            // The child can take the lock only once the parent waits.
            let child = try startChild { try condition.lock.withLock { try condition.notify() } }
            defer { stop(child) }
            #expect(try condition.wait(timeout: .seconds(10)))
            try condition.lock.unlock()
            finish(child)
            #expect(child.exitCode == 0)
        }

        @Test func waitTimesOutWithTheLockHeldAgain() throws {
            let condition = try ProcessCondition()
            try condition.lock.lock()
            let before = pc_monotonic_ns()
            #expect(try condition.wait(timeout: .milliseconds(100)) == false)
            #expect(seconds(since: before) >= 0.099)
            #expect(try condition.wait(timeout: .milliseconds(10)) { false } == false)
            try condition.lock.unlock()
            let error = processError { _ = try condition.wait(timeout: .milliseconds(10)) }
            #expect(error?.errno == .notPermitted, "wait without holding the lock")
        }

        @Test func recursiveLockIsTakenAgainByItsHolderOnly() throws {
            let lock = try ProcessLock(recursive: true)
            try lock.lock()
            #expect(try lock.lock(timeout: .zero) == .acquired)
            let child = try startChild {
                guard try lock.lock(timeout: .milliseconds(50)) == nil else { throw ChildProcess.Exit(2) }
            }
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0, "another process took a held recursive lock")
            try lock.unlock()
            try lock.unlock()
            #expect(processError { try lock.unlock() }?.errno == .notPermitted)
        }

        @Test func aWaiterIsToldWhenTheLockHolderDiedAndHoldsTheLockAgain() throws {
            let condition = try ProcessCondition()
            try condition.lock.lock()
            // Takes the lock as soon as the parent's wait releases it, and dies holding it.
            let holder = try startChild {
                guard try condition.lock.lock(timeout: .seconds(10)) != nil else { throw ChildProcess.Exit(2) }
                kill(getpid(), SIGKILL)
            }
            defer { stop(holder) }
            var error: ProcessError?
            for _ in 0..<100 where error == nil {
                error = processError { _ = try condition.wait(timeout: .milliseconds(50)) }
            }
            #expect(error?.code == .ownerDied)
            // Held again, and consistent: released and taken normally.
            try condition.lock.unlock()
            #expect(try condition.lock.lock(timeout: .seconds(5)) == .acquired)
            try condition.lock.unlock()
            finish(holder)
            #expect(holder.exitCode == -SIGKILL)
        }
    }
}
