import Glibc

/// A pool worker's life, in the worker process: the initializer, then chunks of tasks
/// until the parent closes the connection, `maxTasks` is reached or the memory ceiling is
/// passed (then the worker exits 0 between chunks and the parent replaces it).
struct WorkerLoop<Input: Codable, Output: Codable> {
    let connection: Connection
    let slots: WorkerSlots
    let slot: Int
    let maxTasks: Int?
    let memoryLimit: Int?
    let initializer: (() throws -> Void)?
    let function: (Input) throws -> Output
    let errorTypes: TaskErrorTypes
    private let wire = ChunkWire<Input, Output>()

    init(
        connection: Connection, slots: WorkerSlots, slot: Int, maxTasks: Int?, memoryLimit: Int?,
        initializer: (() throws -> Void)?, function: @escaping (Input) throws -> Output,
        errorTypes: TaskErrorTypes
    ) {
        self.connection = connection
        self.slots = slots
        self.slot = slot
        self.maxTasks = maxTasks
        self.memoryLimit = memoryLimit
        self.initializer = initializer
        self.function = function
        self.errorTypes = errorTypes
    }

    func run() throws {
        try initializer?()
        var done = 0
        while let chunk = try nextChunk() {
            var failures: [PoolMessage.Failure] = []
            // Through buffers, not the arrays' iterators and append: this code is generic and
            // unspecialized, and each of those is a call through the types' witness tables.
            let outputs = chunk.inputs.withUnsafeBufferPointer { inputs in
                [Output](unsafeUninitializedCapacity: inputs.count) { outputs, count in
                    for offset in 0..<inputs.count {
                        // Sent before its caller cancelled it: nobody waits for its result.
                        if slots.isCancelled(slot: slot, task: chunk.first + offset) {
                            failures.append(PoolMessage.Failure(offset: offset, description: "cancelled"))
                            continue
                        }
                        slots.store(slot: slot, task: chunk.first + offset)
                        do {
                            (outputs.baseAddress! + count).initialize(to: try function(inputs[offset]))
                            count += 1
                        } catch {
                            let crossing = errorTypes.encode(error)
                            failures.append(PoolMessage.Failure(
                                offset: offset, description: String(describing: error),
                                errorType: crossing?.type, errorBytes: crossing?.bytes))
                        }
                    }
                }
            }
            let result = PoolMessage.ChunkResult<Output>(first: chunk.first, outputs: outputs, failures: failures)
            // Idle before the result goes: a death after this point loses no task the
            // parent would not re-run (it requeues a chunk whose result never came).
            slots.store(slot: slot, task: -1)
            try send(result)
            done += chunk.inputs.count
            if let maxTasks, done >= maxTasks { return }
            if let memoryLimit, Self.maximumResidentBytes() > memoryLimit { return }
        }
    }

    /// The next chunk, nil when the parent has closed the connection.
    private func nextChunk() throws(ProcessError) -> PoolMessage.Chunk<Input>? {
        do {
            return try wire.decodeChunk(try connection.receiveBytes())
        } catch {
            if error.code == .endOfStream { return nil }
            throw error
        }
    }

    /// Sends `result`; when a value cannot be encoded, every task of the chunk fails with that.
    private func send(_ result: PoolMessage.ChunkResult<Output>) throws(ProcessError) {
        do {
            try connection.sendBytes(try wire.encodeResult(result))
        } catch {
            guard error.code == .unencodableValue else { throw error }
            let failures = (0..<result.count).map {
                PoolMessage.Failure(offset: $0, description: "result cannot be encoded: \(error)")
            }
            try connection.sendBytes(try wire.encodeResult(PoolMessage.ChunkResult<Output>(first: result.first, outputs: [], failures: failures)))
        }
    }

    /// getrusage's ru_maxrss (KiB on Linux), in bytes.
    private static func maximumResidentBytes() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return usage.ru_maxrss * 1024
    }
}
