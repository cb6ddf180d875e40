extension ProcessPool {
    /// The results of `imap`: one per input, in input order, each as soon as it and those
    /// before it are done. Iterating runs the pool.
    public struct OrderedResults: Sequence, IteratorProtocol {
        private let pool: ProcessPool
        private var remaining: Range<Int>

        init(pool: ProcessPool, tasks: Range<Int>) {
            self.pool = pool
            self.remaining = tasks
        }

        /// The next input's result, nil after the last. A pool that cannot go on (it was
        /// terminated) gives that as the result.
        public mutating func next() -> Result<Output, ProcessError>? {
            guard let task = remaining.first else { return nil }
            remaining = remaining.dropFirst()
            let pool = self.pool
            do {
                _ = try pool.drive(until: { pool.isFinished(task) })
            } catch {
                return .failure(error)
            }
            return pool.take(task)
        }
    }
}
