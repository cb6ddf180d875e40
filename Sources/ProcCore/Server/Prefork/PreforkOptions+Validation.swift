extension PreforkOptions {
    /// The most workers a pool may have (the scoreboard's slots).
    public static let workerLimit = Scoreboard.capacity

    /// Throws `.invalidArgument` naming the first value out of range.
    func validate() throws(ProcessError) {
        func refuse(_ what: String) -> ProcessError { ProcessError(.invalidArgument, operation: what) }
        guard (1...Self.workerLimit).contains(workers) else { throw refuse("workers \(workers)") }
        guard maxWorkers >= workers else { throw refuse("maxWorkers \(maxWorkers) below workers \(workers)") }
        guard maxWorkers <= Self.workerLimit else { throw refuse("maxWorkers \(maxWorkers)") }
        if let maxRequests, maxRequests < 0 { throw refuse("maxRequests \(maxRequests)") }
        guard maxRequestsJitter >= 0 else { throw refuse("maxRequestsJitter \(maxRequestsJitter)") }
        if let workerTimeout, workerTimeout <= .zero { throw refuse("workerTimeout \(workerTimeout)") }
        guard extraWorkerIdleTimeout >= .zero else { throw refuse("extraWorkerIdleTimeout \(extraWorkerIdleTimeout)") }
    }
}
