import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// ProcessLock across real processes: robust against a holder's death, timeouts, misuse.
    @Suite struct ProcessLockTests {
        @Test func nextLockerIsToldWhenTheHolderWasKilled() throws {
            let lock = try ProcessLock()
            let ready = try ReadySignal()
            defer { ready.close() }
            let holder = try startChild {
                try lock.lock()
                ready.send()
                sleep(30)
            }
            defer { stop(holder) }
            #expect(ready.wait(), "the child never took the lock")
            #expect(try lock.tryLock() == nil, "the lock is free while the child holds it")
            try holder.kill()
            finish(holder)
            #expect(holder.exitCode == -SIGKILL)
            // Without robustness this would wait for ever: the timeout bounds the test.
            #expect(try lock.lock(timeout: .seconds(5)) == .ownerDied)
            try lock.unlock()
            #expect(try lock.lock(timeout: .seconds(5)) == .acquired, "the lock was not made consistent")
            try lock.unlock()
        }

        @Test func withLockThrowsOwnerDiedOnceThenRunsAgain() throws {
            let lock = try ProcessLock()
            let holder = try startChild {
                try lock.lock()
                kill(getpid(), SIGKILL)
            }
            defer { stop(holder) }
            finish(holder)
            #expect(holder.exitCode == -SIGKILL)
            var ran = 0
            let error = processError { try lock.withLock(timeout: .seconds(5)) { ran += 1 } }
            #expect(error?.code == .ownerDied)
            #expect(ran == 0)
            try lock.withLock(timeout: .seconds(5)) { ran += 1 }
            #expect(ran == 1)
            // A child locks it normally now: the recovered lock works across processes too.
            let next = try startChild { try lock.withLock(timeout: .seconds(5)) {} }
            defer { stop(next) }
            finish(next)
            #expect(next.exitCode == 0)
        }

        @Test func lockTimesOutWhileAnotherProcessHoldsIt() throws {
            let lock = try ProcessLock()
            let ready = try ReadySignal()
            defer { ready.close() }
            let holder = try startChild {
                try lock.lock()
                ready.send()
                sleep(30)
            }
            defer { stop(holder) }
            #expect(ready.wait(), "the child never took the lock")
            let before = pc_monotonic_ns()
            #expect(try lock.lock(timeout: .milliseconds(100)) == nil)
            let waited = seconds(since: before)
            #expect(waited >= 0.099, "lock(timeout:) returned before its timeout")
            #expect(waited < 5)
            #expect(try lock.lock(timeout: .zero) == nil)
            #expect(try lock.lock(timeout: .seconds(-1)) == nil)
            let error = processError { try lock.withLock(timeout: .milliseconds(20)) {} }
            #expect(error?.code == .timedOut)
        }

        @Test func waitingLockerGetsTheLockWhenTheHolderReleasesIt() throws {
            let lock = try ProcessLock()
            try lock.lock()
            let waiter = try startChild {
                guard try lock.lock(timeout: .seconds(10)) == .acquired else { throw ChildProcess.Exit(2) }
                try lock.unlock()
            }
            defer { stop(waiter) }
            #expect(try waiter.join(timeout: .milliseconds(100)) == false, "the child got a held lock")
            try lock.unlock()
            finish(waiter)
            #expect(waiter.exitCode == 0)
        }

        @Test func misuseIsAnErrorNotADeadlock() throws {
            let lock = try ProcessLock()
            let unlockError = processError { try lock.unlock() }
            #expect(unlockError?.errno == .notPermitted, "unlocking a free lock")
            try lock.lock()
            let relockError = processError { try lock.lock() }
            #expect(relockError?.errno == .deadlock, "locking twice from one thread")
            let timedRelockError = processError { _ = try lock.lock(timeout: .seconds(5)) }
            #expect(timedRelockError?.errno == .deadlock, "locking twice from one thread, with a timeout")
            // A child cannot release the parent's hold.
            let child = try startChild {
                do { try lock.unlock() } catch let error as ProcessError where error.errno == .notPermitted {
                    throw ChildProcess.Exit(0)
                }
                throw ChildProcess.Exit(2)
            }
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
            try lock.unlock()
        }

        @Test func tryLockByTheHolderIsNotAcquiredAsInPython() throws {
            let lock = try ProcessLock()
            try lock.lock()
            // Python's Lock.acquire(False) by its holder returns False: not an error.
            #expect(try lock.tryLock() == nil, "the holder's tryLock took a lock that is not recursive")
            // Still held once: one unlock frees it, a second is the holder's misuse.
            try lock.unlock()
            let secondUnlock = processError { try lock.unlock() }
            #expect(secondUnlock?.errno == .notPermitted, "the failed tryLock counted as a second hold")
            #expect(try lock.tryLock() == .acquired, "a free lock")
            try lock.unlock()

            // A recursive lock (RLock) is taken again by its holder, as Python's RLock.acquire(False).
            let recursive = try ProcessLock(recursive: true)
            try recursive.lock()
            #expect(try recursive.tryLock() == .acquired)
            try recursive.unlock()
            try recursive.unlock()
            #expect(processError { try recursive.unlock() }?.errno == .notPermitted)
        }

        @Test func fourProcessesIncrementingUnderTheLockLoseNothing() throws {
            let lock = try ProcessLock()
            let memory = try SharedMemory(byteCount: MemoryLayout<Int>.size)
            let counter = memory.bytes.baseAddress!.bindMemory(to: Int.self, capacity: 1)
            let increments = 100_000
            let gate = try StartGate()
            defer { gate.close() }
            let children = try (0..<4).map { _ in
                try startChild {
                    gate.pass()
                    for _ in 0..<increments {
                        try lock.lock()
                        // Not atomic: a load and a store, which lose updates without the lock.
                        counter.pointee = counter.pointee + 1
                        try lock.unlock()
                    }
                }
            }
            defer { children.forEach(stop) }
            gate.open()
            for child in children { finish(child, within: 60) }
            #expect(children.map(\.exitCode) == [0, 0, 0, 0])
            #expect(counter.pointee == 4 * increments)
        }

        @Test func droppingAHeldLockLeavesTheOtherLocksUsable() throws {
            // glibc links the robust mutexes a thread holds through the mutexes themselves:
            // a lock unmapped while held would leave that list pointing into unmapped memory.
            // In a child, so that a crash fails the test instead of the test process.
            let child = try startChild {
                let kept = try ProcessLock()
                let later = try ProcessLock()
                try kept.lock()
                do {
                    let dropped = try ProcessLock(recursive: true)
                    try dropped.lock()
                    try dropped.lock()
                }
                // Nothing mapped since: the dropped lock's address stays unmapped.
                for _ in 0..<3 {
                    try later.lock()
                    try later.unlock()
                }
                try kept.unlock()
            }
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
        }
    }
}
