extension ProcessPool {
    /// The results of `imapUnordered`: one per input, with the input's index, in the order
    /// the tasks finish. Iterating runs the pool.
    public struct UnorderedResults: Sequence, IteratorProtocol {
        private let pool: ProcessPool
        private let tasks: Range<Int>
        /// Every task before this one has been given out.
        private var oldest: Int
        private var remaining: Int

        init(pool: ProcessPool, tasks: Range<Int>) {
            self.pool = pool
            self.tasks = tasks
            self.oldest = tasks.lowerBound
            self.remaining = tasks.count
        }

        /// The next finished task: its input's index and its result; nil after the last.
        public mutating func next() -> (index: Int, result: Result<Output, ProcessError>)? {
            guard remaining > 0 else { return nil }
            let pool = self.pool
            while pool.isTaken(oldest) { oldest += 1 }
            let (tasks, oldest) = (self.tasks, self.oldest)
            remaining -= 1
            do {
                _ = try pool.drive(until: { pool.firstFinished(in: tasks, from: oldest) != nil })
            } catch {
                pool.abandon([oldest])
                return (oldest - tasks.lowerBound, .failure(error))
            }
            let task = pool.firstFinished(in: tasks, from: oldest)!
            return (task - tasks.lowerBound, pool.take(task))
        }
    }
}
