import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A task's error that crosses back as itself (Python re-raises a task's exception).
private struct Rejected: Error, Codable, Equatable {
    var input: Int
    var reason: String
}

/// A task's error that cannot cross: only its description comes back.
private struct Unshippable: Error, CustomStringConvertible {
    var description: String { "not codable" }
}

/// The work of the pool started through the fork server `.automatic` finds: made before the server.
private let doubled = ProcessPool<Int, Int>.Work("doubled") { $0 * 2 }

/// Whether `pid` is gone and reaped (a zombie still answers kill(pid, 0)).
private func isGone(_ pid: Int32) -> Bool {
    kill(pid, 0) != 0 && errno == ESRCH
}

extension ForkingTests {
    /// ProcessPool from Swift concurrency: awaited results, cancellation, errors as themselves.
    @Suite struct PoolAsyncTests {
        @Test func imapAndImapUnorderedAsAsyncSequences() async throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n % 5 == 0 { throw Unshippable() }
                return n * 2
            }
            var ordered: [Int?] = []
            for try await result in try pool.imap(0..<20) { ordered.append(try? result.get()) }
            #expect(ordered == (0..<20).map { $0 % 5 == 0 ? nil : $0 * 2 })
            var seen: [Int: Int?] = [:]
            for try await (index, result) in try pool.imapUnordered(0..<20, chunkSize: 3) {
                seen.updateValue(try? result.get(), forKey: index)
            }
            #expect(seen.count == 20)
            #expect(seen.allSatisfy { $0.value == ($0.key % 5 == 0 ? nil : $0.key * 2) })
            pool.close()
            try pool.join()
        }

        /// Cancelling an awaited map kills the workers running its tasks (replaced at once),
        /// and its queued tasks never start; the pool serves on.
        @Test func cancellingAnAwaitedMapStopsItsWork() async throws {
            let started = try SharedValue<Int>(0)
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n < 0 {
                    _ = try? started.withLock { $0 += 1 }
                    sleep(60)
                }
                return n
            }
            let pids = pool.workerPIDs
            nonisolated(unsafe) let shared = pool
            let waiting = Task { try await shared.map(Array(repeating: -1, count: 22), chunkSize: 1) }
            let deadline = ContinuousClock.now + .seconds(60)
            while try started.load() < 2, ContinuousClock.now < deadline { usleep(1000) }
            #expect(try started.load() == 2)
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            for pid in pids { #expect(isGone(pid)) }
            #expect(Set(pool.workerPIDs).isDisjoint(with: pids))
            #expect(pool.workerPIDs.count == 2)
            #expect(try await pool.map([1, 2, 3]) == [1, 2, 3])
            #expect(try started.load() == 2)
            pool.close()
            try pool.join()
        }

        /// A handle's cancel(): a queued task never runs; a finished one keeps its result.
        @Test func cancellingHandles() throws {
            let started = try SharedValue<Int>(0)
            let pool = try ProcessPool(workers: 1, threadPolicy: .allow) { (n: Int) -> Int in
                _ = try? started.withLock { $0 += 1 }
                if n < 0 { sleep(60) }
                return n
            }
            let done = try pool.applyAsync(5)
            #expect(try done.get() == 5)
            let long = try pool.applyAsync(-1)
            let queued = try pool.mapAsync(Array(10..<30), chunkSize: 1)
            let deadline = ContinuousClock.now + .seconds(60)
            while try started.load() < 2, ContinuousClock.now < deadline { usleep(1000) }
            queued.cancel()
            long.cancel()
            done.cancel()
            #expect(processError { _ = try long.get() }?.code == .taskCancelled)
            #expect(processError { _ = try queued.get() }?.code == .taskCancelled)
            #expect(try done.get() == 5)
            #expect(try pool.apply(7) == 7)
            // The worker ran 5, started -1 and then 7: none of the queued map's tasks.
            #expect(try started.load() == 3)
        }

        /// Cancelling a map whose chunks were already sent to a worker busy with another
        /// caller's task: that worker is not killed (the other task finishes) and skips them.
        @Test func cancelledTasksSentToABusyWorkerAreSkipped() throws {
            let started = try SharedValue<Int>(0)
            let running = try ProcessEvent()
            let released = try ProcessEvent()
            let pool = try ProcessPool(workers: 1, threadPolicy: .allow) { (n: Int) -> Int in
                _ = try? started.withLock { $0 += 1 }
                if n < 0 {
                    try running.set()
                    _ = try released.wait(timeout: .seconds(60))
                }
                return n
            }
            let other = try pool.applyAsync(-1)
            // Sent at once behind -1: the worker holds four chunks.
            let queued = try pool.mapAsync([10, 11, 12], chunkSize: 1)
            try #require(try running.wait(timeout: .seconds(60)))
            let pid = pool.workerPIDs
            queued.cancel()
            try released.set()
            #expect(try other.get() == -1)
            #expect(processError { _ = try queued.get() }?.code == .taskCancelled)
            #expect(try pool.apply(7) == 7)
            #expect(pool.workerPIDs == pid)
            // The worker ran -1 and then 7: none of the cancelled map's tasks.
            #expect(try started.load() == 2)
            pool.close()
            try pool.join()
        }

        @Test func aCodableTaskErrorIsRethrownAsItself() async throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow, rethrownErrors: [Rejected.self]) { (n: Int) -> Int in
                if n == 3 { throw Rejected(input: n, reason: "three") }
                if n == 4 { throw Unshippable() }
                return n
            }
            let rejected = Rejected(input: 3, reason: "three")
            await #expect(throws: rejected) { try await pool.map(0..<6) }
            await #expect(throws: rejected) { try await pool.apply(3) }
            let handle = try pool.applyAsync(3)
            await #expect(throws: rejected) { try await handle.get() }
            let map = try pool.mapAsync([1, 3])
            await #expect(throws: rejected) { try await map.get() }
            // The synchronous forms throw ProcessError, with the error's description.
            let error = processError { _ = try pool.apply(3) }
            #expect(error?.code == .taskFailed)
            #expect(error?.description.contains("three") == true)
            // A type not listed comes back as its description.
            do {
                _ = try await pool.apply(4)
                Issue.record("task 4 did not fail")
            } catch let error as ProcessError {
                #expect(error.code == .taskFailed)
                #expect(error.description.contains("not codable"))
            }
            #expect(try await pool.apply(5) == 5)
        }

        /// `.automatic` in a process with threads (this one): through the registered fork
        /// server; in a process of one thread (a forked child): forks.
        @Test func theAutomaticStartMethod() async throws {
            let server = try ForkServer(serving: doubled, threadPolicy: .allow)
            defer { server.stop() }
            PoolStartMethod.useForkServer(server)
            let pool = try ProcessPool(doubled, workers: 2)
            for pid in pool.workerPIDs { #expect(ProcStat(pid)?.parent == server.pid) }
            #expect(try await pool.map(0..<10) == (0..<10).map { $0 * 2 })
            pool.close()
            try pool.join()

            let child = ChildProcess(threadPolicy: .allow) {
                let pool = try ProcessPool(doubled, workers: 1)
                let forked = pool.workerPIDs.allSatisfy { ProcStat($0)?.parent == getpid() }
                guard forked, try pool.map([1, 2]) == [2, 4] else { exit(3) }
            }
            try child.start()
            try await child.join()
            #expect(child.exitCode == 0)
        }
    }
}
