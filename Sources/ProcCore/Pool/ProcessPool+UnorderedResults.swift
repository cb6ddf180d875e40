extension ProcessPool {
    /// The results of `imapUnordered`: one per input, with the input's index, in the order
    /// the tasks finish. Iterating runs the pool: with `for`, on the caller's thread; with
    /// `for try await`, without blocking one (cancelling the awaiting task stops the tasks
    /// not yet taken, as `PendingMap.cancel()` does, and throws `CancellationError`).
    public struct UnorderedResults: Sequence, IteratorProtocol, AsyncSequence {
        private let scheduler: PoolScheduler<Input, Output>
        private let tasks: Range<Int>
        /// Every task before this one has been given out.
        private var oldest: Int
        private var remaining: Int

        init(scheduler: PoolScheduler<Input, Output>, tasks: Range<Int>) {
            self.scheduler = scheduler
            self.tasks = tasks
            self.oldest = tasks.lowerBound
            self.remaining = tasks.count
        }

        /// The next finished task: its input's index and its result; nil after the last.
        public mutating func next() -> (index: Int, result: Result<Output, ProcessError>)? {
            guard prepareNext() else { return nil }
            let (scheduler, tasks, oldest) = (self.scheduler, self.tasks, self.oldest)
            do {
                _ = try scheduler.drive(until: { scheduler.firstFinished(in: tasks, from: oldest) != nil })
            } catch {
                return failed(error)
            }
            return takeFirstFinished()
        }

        /// The results, awaited one by one.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(results: self)
        }

        /// Awaits each result of an `imapUnordered` as its task finishes.
        public struct AsyncIterator: AsyncIteratorProtocol {
            private var results: UnorderedResults

            init(results: UnorderedResults) { self.results = results }

            /// The next finished task, nil after the last, waiting without blocking a thread.
            public mutating func next() async throws -> (index: Int, result: Result<Output, ProcessError>)? {
                guard results.prepareNext() else { return nil }
                let (scheduler, tasks, oldest) = (results.scheduler, results.tasks, results.oldest)
                do {
                    try await scheduler.driveAsync(until: { scheduler.firstFinished(in: tasks, from: oldest) != nil })
                } catch is CancellationError {
                    // Every task not yet taken: those before `oldest` all were.
                    scheduler.cancel(oldest..<tasks.upperBound)
                    results.remaining = 0
                    throw CancellationError()
                } catch let error as ProcessError {
                    return results.failed(error)
                }
                return results.takeFirstFinished()
            }
        }

        /// Moves `oldest` past the tasks already given out; false after the last.
        private mutating func prepareNext() -> Bool {
            guard remaining > 0 else { return false }
            while scheduler.isTaken(oldest) { oldest += 1 }
            remaining -= 1
            return true
        }

        /// The result for a pool that cannot go on: given as the oldest task's.
        private func failed(_ error: ProcessError) -> (index: Int, result: Result<Output, ProcessError>) {
            scheduler.abandon([oldest])
            return (oldest - tasks.lowerBound, .failure(error))
        }

        private func takeFirstFinished() -> (index: Int, result: Result<Output, ProcessError>) {
            let task = scheduler.firstFinished(in: tasks, from: oldest)!
            return (task - tasks.lowerBound, scheduler.take(task).mapError(\.error))
        }
    }
}
