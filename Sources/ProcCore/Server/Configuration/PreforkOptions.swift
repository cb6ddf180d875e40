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
    /// How long a worker beyond `workers` (one the pool grew by) stays idle before it leaves.
    public var extraWorkerIdleTimeout: Duration
    /// Run in each worker once, before its first accept (open a per-worker resource, load
    /// something): a throw is a boot failure, logged; when workers in a row
    /// fail to boot (5: `PreforkModel.bootFailureLimit`), the server stops.
    public var workerStartup: (@Sendable () throws -> Void)?

    /// `workers` workers, never more, never recycled, never timed out.
    public init(workers: Int) {
        self.workers = workers
        self.maxWorkers = workers
        self.maxRequests = nil
        self.maxRequestsJitter = 0
        self.workerTimeout = nil
        self.extraWorkerIdleTimeout = .seconds(10)
        self.workerStartup = nil
    }
}
