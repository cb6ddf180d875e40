extension ProcessPool {
    /// The results of `imapUnordered`: one per input, with the input's index, in the order
    /// the tasks finish. Iterating runs the pool.
    public struct UnorderedResults: Sequence, IteratorProtocol {
        private let pool: ProcessPool
        private let first: Int
        private var remaining: Set<Int>

        init(pool: ProcessPool, tasks: Range<Int>) {
            self.pool = pool
            self.first = tasks.lowerBound
            self.remaining = Set(tasks)
        }

        /// The next finished task: its input's index and its result; nil after the last.
        public mutating func next() -> (index: Int, result: Result<Output, ProcessError>)? {
            guard !remaining.isEmpty else { return nil }
            let pool = self.pool
            let waiting = remaining
            do {
                _ = try pool.drive(until: { pool.firstFinished(in: waiting) != nil })
            } catch {
                let task = remaining.removeFirst()
                return (task - first, .failure(error))
            }
            let task = pool.firstFinished(in: waiting)!
            remaining.remove(task)
            return (task - first, pool.take(task))
        }
    }
}
