/// How a `ProcessPool` starts its workers.
public enum PoolStartMethod: Sendable {
    /// Each worker is a fork of this process (the work may capture what it needs). In a
    /// process that runs threads, forking falls under `threadPolicy`.
    case fork(threadPolicy: ForkThreadPolicy = .warn)
    /// Each worker is forked by `server`, which must have been created with the pool's
    /// `ProcessPool.Work`: the way for a program with threads or async code.
    case forkServer(ForkServer)

    /// Forking this process, warning once if it runs threads.
    public static var fork: PoolStartMethod { .fork(threadPolicy: .warn) }
}
