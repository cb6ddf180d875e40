import ProcCore
import ProcTestSupport
import Testing

extension ForkingTests {
    /// JoinableProcessQueue: taskDone and join across processes, as CPython's
    /// test_task_done and test_joinable_queue test them.
    @Suite struct JoinableProcessQueueTests {
        /// CPython's test_task_done: four consumers mark each item done; join returns
        /// once all ten are processed.
        @Test func joinWaitsUntilEveryItemIsMarkedDone() throws {
            let queue = try JoinableProcessQueue<Int?>()
            let processed = try SharedValue(0)
            let consumers = try (0..<4).map { _ in
                try startChild {
                    while let item = try queue.get(timeout: .seconds(20)) {
                        _ = item
                        try processed.withLock { $0 += 1 }
                        try queue.taskDone()
                    }
                }
            }
            defer { consumers.forEach(stop) }
            for item in 0..<10 { try queue.put(item) }
            #expect(try queue.join(timeout: .seconds(20)))
            #expect(try processed.load() == 10, "join returned before every item was done")
            #expect(try queue.unfinishedCount == 0)
            for _ in consumers { try queue.put(nil) }
            consumers.forEach { finish($0) }
            #expect(consumers.map(\.exitCode) == [0, 0, 0, 0])
        }

        /// CPython's test_joinable_queue and task_done's ValueError: one taskDone per item.
        @Test func taskDoneMoreTimesThanItemsPutThrows() throws {
            let queue = try JoinableProcessQueue<Int>(maximumCount: 1)
            #expect(processError { try queue.taskDone() }?.code == .taskDoneTooOften)
            #expect(try queue.join(timeout: .zero), "nothing put: nothing to wait for")
            try queue.put(1)
            // A put that fails is not counted.
            #expect(processError { try queue.putWithoutWaiting(2) }?.code == .full)
            #expect(try queue.unfinishedCount == 1)
            #expect(try queue.getWithoutWaiting() == 1)
            #expect(try queue.join(timeout: .zero) == false, "got but not done")
            try queue.taskDone()
            #expect(try queue.join(timeout: .zero))
            #expect(processError { try queue.taskDone() }?.code == .taskDoneTooOften)
        }

        /// A process blocked in join is woken by the taskDone of another.
        @Test func aJoiningChildIsWokenByTheLastTaskDone() throws {
            let queue = try JoinableProcessQueue<String>()
            try queue.put("work")
            let joiner = try startChild {
                guard try queue.join(timeout: .seconds(20)) else { throw ChildProcess.Exit(2) }
            }
            defer { stop(joiner) }
            #expect(try queue.get(timeout: .seconds(10)) == "work")
            try queue.taskDone()
            finish(joiner)
            #expect(joiner.exitCode == 0)
        }
    }
}
