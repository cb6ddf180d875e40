/// How a preforking server keeps its workers (see `ServerModel.prefork`).
public struct PreforkOptions: Sendable {
    /// Workers forked at start; the pool never goes below this.
    public var workers: Int
    /// The most workers the pool grows to when every worker is busy.
    public var maxWorkers: Int
    /// Connections a worker serves before it is replaced; nil: no limit.
    public var maxRequests: Int?
    /// A random 0...maxRequestsJitter added to each worker's `maxRequests`, so that
    /// workers are not all replaced at once.
    public var maxRequestsJitter: Int
    /// How long a worker may go without progress before it is killed; nil: for ever.
    public var workerTimeout: Duration?

    /// `workers` workers, never more, never recycled, never timed out.
    public init(workers: Int) {
        self.workers = workers
        self.maxWorkers = workers
        self.maxRequests = nil
        self.maxRequestsJitter = 0
        self.workerTimeout = nil
    }
}
