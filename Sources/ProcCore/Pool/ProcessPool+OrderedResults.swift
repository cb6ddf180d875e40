extension ProcessPool {
    /// The results of `imap`: one per input, in input order, each as soon as it and those
    /// before it are done. Iterating runs the pool: with `for`, on the caller's thread;
    /// with `for try await`, without blocking one (cancelling the awaiting task stops the
    /// tasks not yet taken, as `PendingMap.cancel()` does, and throws `CancellationError`).
    public struct OrderedResults: Sequence, IteratorProtocol, AsyncSequence {
        private let scheduler: PoolScheduler<Input, Output>
        private var remaining: Range<Int>

        init(scheduler: PoolScheduler<Input, Output>, tasks: Range<Int>) {
            self.scheduler = scheduler
            self.remaining = tasks
        }

        /// The next input's result, nil after the last. A pool that cannot go on (it was
        /// terminated) gives that as the result.
        public mutating func next() -> Result<Output, ProcessError>? {
            guard let task = remaining.first else { return nil }
            remaining = remaining.dropFirst()
            let scheduler = self.scheduler
            do {
                _ = try scheduler.drive(until: { scheduler.isFinished(task) })
            } catch {
                return .failure(error)
            }
            return scheduler.take(task).mapError(\.error)
        }

        /// The results, awaited one by one.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(results: self)
        }

        /// Awaits each result of an `imap` in input order.
        public struct AsyncIterator: AsyncIteratorProtocol {
            private var results: OrderedResults

            init(results: OrderedResults) { self.results = results }

            /// The next input's result, nil after the last, waiting without blocking a thread.
            public mutating func next() async throws -> Result<Output, ProcessError>? {
                guard let task = results.remaining.first else { return nil }
                let scheduler = results.scheduler
                do {
                    try await scheduler.driveAsync(until: { scheduler.isFinished(task) })
                } catch is CancellationError {
                    scheduler.cancel(results.remaining)
                    results.remaining = results.remaining.upperBound..<results.remaining.upperBound
                    throw CancellationError()
                } catch let error as ProcessError {
                    results.remaining = results.remaining.dropFirst()
                    return .failure(error)
                }
                results.remaining = results.remaining.dropFirst()
                return scheduler.take(task).mapError(\.error)
            }
        }
    }
}
