extension ProcessPool {
    /// A pool's work as a named entry point, for a pool whose workers a `ForkServer`
    /// starts: give it to the server when creating the server, then to the pool.
    ///
    /// ```swift
    /// let square = ProcessPool<Int, Int>.Work("square") { $0 * $0 }
    /// let server = try ForkServer(serving: square)            // first thing in main
    /// let pool = try ProcessPool(square, startMethod: .forkServer(server))
    /// ```
    public struct Work: ForkServerEntry {
        /// The name the fork server finds the work by.
        public let name: String
        /// Runs once in each worker before its first task; a throw ends the worker.
        public let initializer: (@Sendable () throws -> Void)?
        /// One task: an input to its output; an error thrown fails that task only.
        public let function: @Sendable (Input) throws -> Output
        /// The error types of `function` that the awaited forms rethrow as themselves.
        public let rethrownErrors: [any (Error & Codable).Type]

        /// Work called `name`: `function` for each task, after `initializer` once per
        /// worker. An error `function` throws of one of the `rethrownErrors` types comes
        /// back as itself to the awaited forms (`try await pool.map`, `apply`, a handle's
        /// `get()`), as Python re-raises a task's exception.
        public init(
            _ name: String,
            rethrownErrors: [any (Error & Codable).Type] = [],
            initializer: (@Sendable () throws -> Void)? = nil,
            _ function: @escaping @Sendable (Input) throws -> Output
        ) {
            self.name = name
            self.rethrownErrors = rethrownErrors
            self.initializer = initializer
            self.function = function
        }

        /// A worker started by a fork server: its connection and the slots' memfd come as
        /// the two descriptors.
        public var servedBody: ServedBody {
            let work = self
            let errorTypes = TaskErrorTypes(rethrownErrors)
            // The worker loop is generic over Input and Output, whose Codable conformances
            // it uses in the served child, a process of one thread where no other isolation
            // domain runs: it is made here, outside the Sendable closure, so that the
            // closure captures no metatype.
            nonisolated(unsafe) let runWorker: (Connection, WorkerSlots, PoolMessage.WorkerSettings) throws -> Void = {
                try WorkerLoop<Input, Output>(
                    connection: $0, slots: $1, slot: $2.slot, maxTasks: $2.maxTasks, memoryLimit: $2.memoryLimit,
                    initializer: work.initializer, function: work.function, errorTypes: errorTypes
                ).run()
            }
            return ServedBody { bytes, descriptors in
                let settings = try BinaryDecoder().decode(PoolMessage.WorkerSettings.self, from: bytes)
                guard descriptors.count == 2 else {
                    throw ProcessError(.invalidArgument, operation: "pool worker: expected 2 descriptors")
                }
                let slots = try WorkerSlots(mapping: descriptors[1], count: settings.slotCount)
                try runWorker(Connection(adopting: descriptors[0]), slots, settings)
            }
        }
    }
}
