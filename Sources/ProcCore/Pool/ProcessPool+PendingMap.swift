extension ProcessPool {
    /// The handle of a map started with `mapAsync`, as the `AsyncResult` of Python's
    /// `map_async`. Waiting on it runs the pool (collects results, hands out tasks,
    /// replaces workers).
    public final class PendingMap {
        private let scheduler: PoolScheduler<Input, Output>
        private let tasks: Range<Int>
        /// The first task not yet seen finished.
        private var finished: Int
        private var result: Result<[Output], TaskFailure>?

        init(scheduler: PoolScheduler<Input, Output>, tasks: Range<Int>) {
            self.scheduler = scheduler
            self.tasks = tasks
            finished = tasks.lowerBound
        }

        deinit {
            if result == nil { scheduler.abandon(tasks) }
        }

        /// Whether every task of the map has finished (successfully or not); does not wait.
        public var isReady: Bool {
            (try? wait(timeout: .zero)) ?? true
        }

        /// Waits up to `timeout` (nil: for as long as it takes) for every task to finish;
        /// returns whether they have.
        @discardableResult
        public func wait(timeout: Duration? = nil) throws(ProcessError) -> Bool {
            if result != nil { return true }
            let scheduler = self.scheduler, tasks = self.tasks
            var finished = self.finished
            defer { self.finished = finished }
            guard try scheduler.drive(until: { scheduler.allFinished(tasks, from: &finished) }, timeout: timeout) else { return false }
            settle()
            return true
        }

        /// The outputs in input order, waiting up to `timeout` (nil: for as long as it
        /// takes), as `map` returns them: throws the first failed task's error, or
        /// `.timedOut` when the time runs out first (the tasks go on; ask again later).
        public func get(timeout: Duration? = nil) throws(ProcessError) -> [Output] {
            guard try wait(timeout: timeout) else {
                throw ProcessError(.timedOut, operation: "get: the map did not finish within \(timeout!)")
            }
            return try result!.mapError(\.error).get()
        }

        /// The outputs, waiting without blocking a thread: throws the first failed task's
        /// own error when its type is one of the pool's `rethrownErrors`, else as
        /// `get(timeout:)`. Cancelling the awaiting task stops the wait and throws
        /// `CancellationError`; the map goes on and the handle stays usable (`cancel()`
        /// stops the map).
        nonisolated(nonsending)
        public func get() async throws -> [Output] {
            if result == nil {
                let scheduler = self.scheduler, tasks = self.tasks
                var finished = self.finished
                defer { self.finished = finished }
                try await scheduler.driveAsync(until: { scheduler.allFinished(tasks, from: &finished) })
                settle()
            }
            return try result!.getThrowingTaskError()
        }

        /// Stops the map: its tasks still queued never run, a worker running one is killed
        /// and replaced, a worker busy with another caller's task skips those it was sent,
        /// and `get` throws `.taskCancelled`. Does nothing once it finished.
        public func cancel() {
            guard result == nil else { return }
            scheduler.cancel(tasks)
            result = .failure(TaskFailure(ProcessError(.taskCancelled, operation: "map: cancelled")))
        }

        /// Takes the results of the finished map.
        private func settle() {
            result = scheduler.collect(tasks)
        }
    }
}
