/// How a task failed, as the pool keeps it until taken: the `ProcessError` the
/// synchronous API throws and, when the task threw an error of one of the pool's
/// `rethrownErrors` types, that error itself, which the awaited forms throw.
struct TaskFailure: Error {
    let error: ProcessError
    let rethrown: (any Error)?

    init(_ error: ProcessError, rethrown: (any Error)? = nil) {
        self.error = error
        self.rethrown = rethrown
    }

    /// What an awaited form throws: the task's own error when it crossed, else `error`.
    var thrown: any Error { rethrown ?? error }
}

extension Result where Failure == TaskFailure {
    /// The output, or what an awaited form throws for the failure: the task's own error
    /// when it crossed (see `TaskFailure.thrown`).
    func getThrowingTaskError() throws -> Success {
        do throws(TaskFailure) {
            return try get()
        } catch {
            throw error.thrown
        }
    }
}
