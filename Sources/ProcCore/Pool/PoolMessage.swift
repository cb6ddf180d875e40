/// What a pool's parent and its workers say to each other over their `Connection`, one
/// message each way per chunk of tasks. Task indices number every task of the pool.
enum PoolMessage {
    /// Parent to worker: run `inputs`, the tasks `first`, `first + 1`, ...
    struct Chunk<Input: Codable>: Codable {
        var first: Int
        var inputs: [Input]
    }

    /// Worker to parent: how each task of the chunk starting at `first` ended. The outputs
    /// of the tasks that succeeded, in order, and the failures apart: an array of plain
    /// values encodes many times faster than one enum per task.
    struct ChunkResult<Output: Codable>: Codable {
        var first: Int
        var outputs: [Output]
        var failures: [Failure]

        /// How many tasks the chunk held.
        var count: Int { outputs.count + failures.count }

        /// Each task's result, in order.
        func results(firstTask: Int) -> [Result<Output, ProcessError>] {
            var results: [Result<Output, ProcessError>] = []
            results.reserveCapacity(count)
            var nextOutput = outputs.makeIterator()
            var nextFailure = failures.makeIterator()
            var failure = nextFailure.next()
            for offset in 0..<count {
                if let current = failure, current.offset == offset {
                    results.append(.failure(ProcessError(.taskFailed, operation: "task \(firstTask + offset): \(current.description)")))
                    failure = nextFailure.next()
                } else if let output = nextOutput.next() {
                    results.append(.success(output))
                }
            }
            return results
        }
    }

    /// A task that threw: its offset in the chunk and the error's description.
    struct Failure: Codable {
        var offset: Int
        var description: String
    }

    /// What a worker started by a fork server is told, beside its two descriptors (its
    /// end of the connection, the memfd of the slots).
    struct WorkerSettings: Codable {
        var slot: Int
        var slotCount: Int
        var maxTasks: Int?
        var memoryLimit: Int?
    }
}
