import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// Set by the pool's initializer in each worker, read by its tasks.
nonisolated(unsafe) private var initializedInWorker = 0

/// The work of the pools whose workers a fork server starts: made before the server.
private let tripleOrDie = ProcessPool<Int, Int>.Work("tripleOrDie") { n in
    if n == -9 { _ = kill(getpid(), SIGKILL) }
    return n * 3
}

/// Whether `pid` is gone and reaped (a zombie still answers kill(pid, 0)).
private func isGone(_ pid: Int32) -> Bool {
    kill(pid, 0) != 0 && errno == ESRCH
}

extension ForkingTests {
    /// ProcessPool over real worker processes.
    @Suite struct ProcessPoolTests {
        @Test(arguments: [nil, 1, 7] as [Int?])
        func mapKeepsInputOrder(chunkSize: Int?) throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) in n * n }
            let squares = try pool.map(0..<200, chunkSize: chunkSize)
            #expect(squares == (0..<200).map { $0 * $0 })
            #expect(try pool.map([Int]()) == [])
            pool.close()
            try pool.join()
        }

        @Test func imapIsOrderedAndImapUnorderedIsComplete() throws {
            let pool = try ProcessPool(workers: 3, threadPolicy: .allow) { (n: Int) -> Int in
                usleep(UInt32((n % 3) * 2000))
                return n + 1
            }
            let ordered = try pool.imap(0..<50).map { try $0.get() }
            #expect(ordered == Array(1...50))
            var seen: [Int: Int] = [:]
            for (index, result) in try pool.imapUnordered(0..<50, chunkSize: 2) { seen[index] = try result.get() }
            #expect(seen.count == 50)
            #expect(seen.allSatisfy { $0.value == $0.key + 1 })
        }

        @Test func aThrowingTaskFailsAloneWithItsDescription() throws {
            struct Odd: Error, CustomStringConvertible {
                let n: Int
                var description: String { "odd input \(n)" }
            }
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n == 3 { throw Odd(n: n) }
                return n
            }
            let results = try pool.imap(0..<8).map { $0 }
            for (index, result) in results.enumerated() {
                switch result {
                case .success(let value): #expect(index != 3 && value == index)
                case .failure(let error):
                    #expect(index == 3)
                    #expect(error.code == .taskFailed)
                    #expect(error.description.contains("odd input 3"))
                }
            }
            #expect(processError { _ = try pool.map(0..<8) }?.code == .taskFailed)
            #expect(try pool.apply(10) == 10)
        }

        /// Int results go as raw bytes unless a task of the chunk fails, Strings always through
        /// the coder: failures among successes in one chunk, both ways.
        @Test(arguments: [1, 4])
        func failuresInsideAChunkLeaveTheOtherResults(chunkSize: Int) throws {
            struct Rejected: Error, CustomStringConvertible { var description: String { "rejected" } }
            let numbers = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n % 5 == 2 { throw Rejected() }
                return -n
            }
            for (n, result) in try numbers.imap(0..<23, chunkSize: chunkSize).enumerated() {
                if n % 5 == 2 {
                    #expect(processError { _ = try result.get() }?.description.contains("rejected") == true)
                } else {
                    #expect(try result.get() == -n)
                }
            }
            #expect(try numbers.map([0, 1, 3], chunkSize: chunkSize) == [0, -1, -3])
            let words = try ProcessPool(workers: 2, threadPolicy: .allow) { (word: String) -> String in
                if word.hasSuffix("2") { throw Rejected() }
                return word + "!"
            }
            let inputs = (0..<13).map { "w\($0)" }
            for (n, result) in try words.imap(inputs, chunkSize: chunkSize).enumerated() {
                if inputs[n].hasSuffix("2") {
                    #expect(processError { _ = try result.get() }?.code == .taskFailed)
                } else {
                    #expect(try result.get() == inputs[n] + "!")
                }
            }
            #expect(try words.map(["a", "b", "c"], chunkSize: chunkSize) == ["a!", "b!", "c!"])
        }

        /// Chunks and results each larger than a socket's buffer: the parent must not block
        /// writing the next chunk while the worker blocks writing a result (they deadlocked).
        @Test(.timeLimit(.minutes(1)))
        func chunksLargerThanASocketBufferDoNotDeadlock() throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) in n &+ 1 }
            let outputs = try pool.map(0..<200_000, chunkSize: 40_000)
            #expect(outputs.count == 200_000 && outputs.first == 1 && outputs.last == 200_000)
            let words = try ProcessPool(workers: 2, threadPolicy: .allow) { (word: String) in word }
            let long = String(repeating: "x", count: 100_000)
            #expect(try words.map(Array(repeating: long, count: 8), chunkSize: 1) == Array(repeating: long, count: 8))
        }

        @Test func aWorkerSIGKILLedMidTaskFailsExactlyThatTask() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n == 13 {
                    var pid = getpid()
                    _ = pc_write_all(writeEnd, &pid, MemoryLayout<pid_t>.size)
                    sleep(30)
                }
                return n * 2
            }
            let oldPIDs = pool.workerPIDs
            // The killer: another process, since the pool runs while this thread waits on it.
            let killer = ChildProcess(threadPolicy: .allow) {
                guard let victim = readPIDs(1, from: readEnd)?.first else { throw ChildProcess.Exit(2) }
                _ = kill(victim, SIGKILL)
                var reported = victim
                _ = pc_write_all(writeEnd, &reported, MemoryLayout<pid_t>.size)
            }
            try killer.start()
            defer { stop(killer) }
            let pending = try (0..<40).map { try pool.applyAsync($0) }
            for (n, handle) in pending.enumerated() {
                if n == 13 {
                    let error = processError { _ = try handle.get(timeout: .seconds(10)) }
                    #expect(error?.code == .workerLost)
                    #expect(error?.description.contains("signal 9") == true)
                } else {
                    #expect(try handle.get(timeout: .seconds(10)) == n * 2)
                }
            }
            finish(killer)
            #expect(killer.exitCode == 0)
            let victim = try #require(readPIDs(1, from: readEnd)?.first)
            #expect(oldPIDs.contains(victim))
            #expect(!pool.workerPIDs.contains(victim))
            #expect(pool.workerPIDs.count == 2)
            #expect(try pool.map(0..<10) == (0..<10).map { $0 * 2 })
            #expect(isGone(victim))
        }

        @Test func aSegfaultingTaskAndAnExitingTaskFailAsWorkerLost() throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n == 4 { UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1 }
                if n == 6 { exit(3) }
                return n
            }
            let results = try pool.imap(0..<12, chunkSize: 3).map { $0 }
            for (index, result) in results.enumerated() {
                switch (index, result) {
                case (4, .failure(let error)):
                    #expect(error.code == .workerLost)
                    #expect(error.description.contains("signal \(SIGSEGV)"))
                case (6, .failure(let error)):
                    #expect(error.code == .workerLost)
                    #expect(error.description.contains("exited with code 3"))
                case (_, .success(let value)):
                    #expect(value == index)
                default:
                    Issue.record("task \(index): \(result)")
                }
            }
        }

        @Test func aTaskOverItsTimeoutFailsAndItsWorkerIsReplaced() throws {
            let pool = try ProcessPool(workers: 2, taskTimeout: .milliseconds(300), threadPolicy: .allow) { (n: Int) -> Int in
                if n == 1 { sleep(30) }
                return n
            }
            let before = pc_monotonic_ns()
            let results = try pool.imap(0..<6).map { $0 }
            #expect(seconds(since: before) < 10)
            #expect(results.enumerated().allSatisfy { index, result in
                index == 1 ? (try? result.get()) == nil : (try? result.get()) == index
            })
            if case .failure(let error) = results[1] {
                #expect(error.code == .workerLost)
                #expect(error.operation.contains("ran over"))
            }
            #expect(try pool.map([0, 2, 3]) == [0, 2, 3])
        }

        @Test func maxTasksPerChildRecyclesWorkersAndLosesNothing() throws {
            let pool = try ProcessPool(workers: 2, maxTasksPerChild: 2, threadPolicy: .allow) { (_: Int) in getpid() }
            let pids = try pool.map(0..<20, chunkSize: 1)
            #expect(pids.count == 20)
            #expect(Set(pids).count >= 10)
            pool.close()
            try pool.join()
            for pid in Set(pids) { #expect(isGone(pid)) }
        }

        @Test func aMemoryCeilingRecyclesWorkers() throws {
            let pool = try ProcessPool(workers: 1, memoryLimit: 1, threadPolicy: .allow) { (_: Int) in getpid() }
            let pids = try pool.map(0..<4, chunkSize: 1)
            #expect(Set(pids).count == 4)
        }

        @Test func theInitializerRunsInEveryWorker() throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow, initializer: { initializedInWorker = 42 }) {
                (n: Int) in initializedInWorker + n
            }
            #expect(try pool.map(0..<10) == (42..<52).map { $0 })
            #expect(initializedInWorker == 0)
        }

        @Test func terminateWithTasksQueuedFailsThemAndEndsTheWorkers() throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                sleep(30)
                return n
            }
            let pids = pool.workerPIDs
            let pending = try (0..<6).map { try pool.applyAsync($0) }
            #expect(pending[5].isReady == false)
            let before = pc_monotonic_ns()
            pool.terminate()
            #expect(seconds(since: before) < 5)
            for handle in pending { #expect(processError { _ = try handle.get() }?.code == .closed) }
            for pid in pids { #expect(isGone(pid)) }
            #expect(processError { _ = try pool.apply(1) }?.code == .closed)
        }

        @Test func applyAsyncHandles() throws {
            let pool = try ProcessPool(workers: 1, threadPolicy: .allow) { (ms: UInt32) -> UInt32 in
                usleep(ms * 1000)
                return ms
            }
            let slow = try pool.applyAsync(300)
            #expect(!slow.isReady)
            #expect(processError { _ = try slow.get(timeout: .milliseconds(20)) }?.code == .timedOut)
            #expect(try slow.wait(timeout: .seconds(10)))
            #expect(slow.isReady)
            #expect(try slow.get() == 300)
            #expect(try pool.apply(1) == 1)
        }

        /// CPython's test_map_async and test_map_async_callbacks (the callback being the
        /// code after get): the handle is not ready while the tasks are held at a gate.
        @Test func mapAsyncHandles() throws {
            struct Refused: Error {}
            let gate = try ProcessEvent()
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) throws -> Int in
                guard try gate.wait(timeout: .seconds(20)) else { throw Refused() }
                if n == 13 { throw Refused() }
                return n * n
            }
            let pending = try pool.mapAsync(0..<10)
            #expect(!pending.isReady)
            #expect(processError { _ = try pending.get(timeout: .zero) }?.code == .timedOut)
            try gate.set()
            #expect(try pending.get(timeout: .seconds(20)) == (0..<10).map { $0 * $0 })
            #expect(pending.isReady)
            let failing = try pool.mapAsync(10..<15, chunkSize: 1)
            #expect(try failing.wait(timeout: .seconds(20)))
            #expect(processError { _ = try failing.get() }?.code == .taskFailed)
        }

        @Test func droppingOrClosingAPoolLeavesNoWorkerOrZombie() throws {
            var pids: [Int32] = []
            do {
                let pool = try ProcessPool(workers: 3, threadPolicy: .allow) { (n: Int) in n }
                pids = pool.workerPIDs
                _ = try pool.map(0..<10)
            }
            #expect(pids.count == 3)
            for pid in pids { #expect(isGone(pid)) }

            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) in n }
            let closedPIDs = pool.workerPIDs
            let pending = try pool.applyAsync(5)
            pool.close()
            #expect(processError { _ = try pool.applyAsync(6) }?.code == .closed)
            try pool.join()
            #expect(try pending.get() == 5)
            for pid in closedPIDs { #expect(isGone(pid)) }
        }

        @Test func asyncMapApplyAndCancellation() async throws {
            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) -> Int in
                if n < 0 { sleep(30) }
                return n * 3
            }
            #expect(try await pool.map(0..<50) == (0..<50).map { $0 * 3 })
            #expect(try await pool.apply(7) == 21)
            nonisolated(unsafe) let shared = pool
            let waiting = Task { try await shared.map([-1]) }
            usleep(50_000)
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            pool.terminate()
        }

        @Test func aPoolWhoseWorkersTheForkServerStarts() async throws {
            let server = try ForkServer(serving: tripleOrDie, threadPolicy: .allow)
            defer { server.stop() }
            let pool = try ProcessPool(tripleOrDie, workers: 2, startMethod: .forkServer(server))
            let pids = pool.workerPIDs
            // From async code: the awaited map.
            #expect(try await pool.map(0..<30) == (0..<30).map { $0 * 3 })
            // A worker that dies mid-task fails that task alone and is replaced, through the server.
            let results = try pool.imap([1, -9, 2]).map { $0 }
            #expect((try? results[0].get()) == 3)
            #expect((try? results[2].get()) == 6)
            if case .failure(let error) = results[1] {
                #expect(error.code == .workerLost)
            } else {
                Issue.record("task -9 did not fail")
            }
            #expect(try await pool.apply(10) == 30)
            pool.close()
            try pool.join()
            for pid in pids { #expect(isGone(pid)) }
        }
    }
}
