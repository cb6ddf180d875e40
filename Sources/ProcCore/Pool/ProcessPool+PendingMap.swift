extension ProcessPool {
    /// The handle of a map started with `mapAsync`, as the `AsyncResult` of Python's
    /// `map_async`. Waiting on it runs the pool (collects results, hands out tasks,
    /// replaces workers).
    public final class PendingMap {
        private let pool: ProcessPool
        private let tasks: Range<Int>
        /// The first task not yet seen finished.
        private var finished: Int
        private var result: Result<[Output], ProcessError>?

        init(pool: ProcessPool, tasks: Range<Int>) {
            self.pool = pool
            self.tasks = tasks
            finished = tasks.lowerBound
        }

        deinit {
            if result == nil { pool.abandon(tasks) }
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
            let pool = self.pool, tasks = self.tasks
            var finished = self.finished
            defer { self.finished = finished }
            guard try pool.drive(until: { pool.allFinished(tasks, from: &finished) }, timeout: timeout) else { return false }
            do throws(ProcessError) {
                result = .success(try pool.collect(tasks))
            } catch {
                result = .failure(error)
            }
            return true
        }

        /// The outputs in input order, waiting up to `timeout` (nil: for as long as it
        /// takes), as `map` returns them: throws the first failed task's error, or
        /// `.timedOut` when the time runs out first (the tasks go on; ask again later).
        public func get(timeout: Duration? = nil) throws(ProcessError) -> [Output] {
            guard try wait(timeout: timeout) else {
                throw ProcessError(.timedOut, operation: "get: the map did not finish within \(timeout!)")
            }
            return try result!.get()
        }
    }
}
