import CProcShim
import ProcCore
import ProcTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

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
