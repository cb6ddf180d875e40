/// What a pool's parent and its workers say to each other over their `Connection`, one
/// message each way per chunk of tasks. Task indices number every task of the pool.
enum PoolMessage {
    /// Parent to worker: run `inputs`, the tasks `first`, `first + 1`, ...
    struct Chunk<Input: Codable>: Codable {
        var first: Int
        var inputs: [Input]
    }

    /// Worker to parent: how each task of the chunk starting at `first` ended.
    struct ChunkResult<Output: Codable>: Codable {
        var first: Int
        var outcomes: [Outcome<Output>]
    }

    /// One task's result, or the description of the error it threw.
    enum Outcome<Output: Codable>: Codable {
        case value(Output)
        case failure(String)
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
