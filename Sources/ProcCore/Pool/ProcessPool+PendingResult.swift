extension ProcessPool {
    /// The handle of one task started with `applyAsync`, as Python's `AsyncResult`.
    /// Waiting on it runs the pool (collects results, hands out tasks, replaces workers).
    public final class PendingResult {
        private let pool: ProcessPool
        private let task: Int
        private var result: Result<Output, ProcessError>?

        init(pool: ProcessPool, task: Int) {
            self.pool = pool
            self.task = task
        }

        deinit {
            if result == nil { pool.abandon([task]) }
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
            guard try pool.drive(until: { pool.isFinished(task) }, timeout: timeout) else { return false }
            result = pool.take(task)
            return true
        }

        /// The task's output, waiting up to `timeout` (nil: for as long as it takes). Throws
        /// the task's own error, or `.timedOut` when the time runs out first (the task
        /// goes on; ask again later).
        public func get(timeout: Duration? = nil) throws(ProcessError) -> Output {
            guard try wait(timeout: timeout) else {
                throw ProcessError(.timedOut, operation: "get: not finished within \(timeout!)")
            }
            return try result!.get()
        }

        /// The task's output, waiting without blocking a thread. Cancelling the awaiting
        /// task stops the wait and throws `CancellationError`; the handle stays usable.
        nonisolated(nonsending)
        public func get() async throws -> Output {
            if result == nil {
                let pool = self.pool
                let task = self.task
                try await pool.driveAsync(until: { pool.isFinished(task) })
                result = pool.take(task)
            }
            return try result!.get()
        }
    }
}
