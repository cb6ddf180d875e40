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
    }

    /// A task that threw: its offset in the chunk, the error's description and, when its
    /// type is one of the pool's `TaskErrorTypes`, that type's position and the error's bytes.
    struct Failure: Codable {
        var offset: Int
        var description: String
        var errorType: Int?
        var errorBytes: [UInt8]?
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
