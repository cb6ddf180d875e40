extension ProcessPool {
    /// `map`, waiting without blocking a thread (ProcCore's watcher thread waits for the
    /// workers). Cancelling the awaiting task stops the map's work, as `PendingMap.cancel()`
    /// does, and throws `CancellationError`. A failed task throws as `map` does,
    /// or its own error when its type is one of the pool's `rethrownErrors`.
    @inlinable nonisolated(nonsending)
    public func map(_ inputs: some Sequence<Input>, chunkSize: Int? = nil) async throws -> [Output] {
        try await map(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline nonisolated(nonsending)
    func map(collected inputs: [Input], chunkSize: Int?) async throws -> [Output] {
        let handle = try mapAsync(collected: inputs, chunkSize: chunkSize)
        do {
            return try await handle.get()
        } catch is CancellationError {
            handle.cancel()
            throw CancellationError()
        }
    }

    /// `apply`, waiting without blocking a thread. Cancelling the awaiting task stops the
    /// task (its worker is killed and replaced if it runs it) and throws `CancellationError`.
    nonisolated(nonsending)
    public func apply(_ input: Input) async throws -> Output {
        let handle = try applyAsync(input)
        do {
            return try await handle.get()
        } catch is CancellationError {
            handle.cancel()
            throw CancellationError()
        }
    }
}
