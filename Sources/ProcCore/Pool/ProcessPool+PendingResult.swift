extension ProcessPool {
    /// The handle of one task started with `applyAsync`, as Python's `AsyncResult`.
    /// Waiting on it runs the pool (collects results, hands out tasks, replaces workers).
    public final class PendingResult {
        private let scheduler: PoolScheduler<Input, Output>
        private let task: Int
        private var result: Result<Output, TaskFailure>?

        init(scheduler: PoolScheduler<Input, Output>, task: Int) {
            self.scheduler = scheduler
            self.task = task
        }

        deinit {
            if result == nil { scheduler.abandon([task]) }
        }

        /// Whether the task has finished (successfully or not); does not wait.
        public var isReady: Bool {
            (try? wait(timeout: .zero)) ?? true
        }

        /// Waits up to `timeout` (nil: for as long as it takes) for the task to finish;
        /// returns whether it has.
        @discardableResult
        public func wait(timeout: Duration? = nil) throws(ProcessError) -> Bool {
            if result != nil { return true }
            guard try scheduler.drive(until: { scheduler.isFinished(task) }, timeout: timeout) else { return false }
            result = scheduler.take(task)
            return true
        }

        /// The task's output, waiting up to `timeout` (nil: for as long as it takes). Throws
        /// the task's own error, or `.timedOut` when the time runs out first (the task
        /// goes on; ask again later).
        public func get(timeout: Duration? = nil) throws(ProcessError) -> Output {
            guard try wait(timeout: timeout) else {
                throw ProcessError(.timedOut, operation: "get: not finished within \(timeout!)")
            }
            return try result!.mapError(\.error).get()
        }

        /// The task's output, waiting without blocking a thread: throws the task's own
        /// error when its type is one of the pool's `rethrownErrors`, else as `get(timeout:)`.
        /// Cancelling the awaiting task stops the wait and throws `CancellationError`; the
        /// task goes on and the handle stays usable (`cancel()` stops the task).
        nonisolated(nonsending)
        public func get() async throws -> Output {
            if result == nil {
                let scheduler = self.scheduler
                let task = self.task
                try await scheduler.driveAsync(until: { scheduler.isFinished(task) })
                result = scheduler.take(task)
            }
            return try result!.getThrowingTaskError()
        }

        /// Stops the task: if still queued it never runs, if running its worker is killed
        /// and replaced; `get` throws `.taskCancelled`. Does nothing once it finished.
        public func cancel() {
            guard result == nil else { return }
            scheduler.cancel(task..<(task + 1))
            result = .failure(TaskFailure(ProcessError(.taskCancelled, operation: "task \(task): cancelled")))
        }
    }
}
