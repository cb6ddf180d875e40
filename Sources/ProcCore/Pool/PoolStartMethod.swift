import CProcShim
import Synchronization

/// How a `ProcessPool` starts its workers.
public enum PoolStartMethod: Sendable {
    /// Each worker is a fork of this process (the work may capture what it needs). In a
    /// process that runs threads, forking falls under `threadPolicy`.
    case fork(threadPolicy: ForkThreadPolicy = .warn)
    /// Each worker is forked by `server`, which must have been created with the pool's
    /// `ProcessPool.Work`: the way for a program with threads or async code.
    case forkServer(ForkServer)
    /// Each worker is a fork of this process while it runs one thread; once it runs more
    /// (Swift concurrency's threads, the watcher thread of an awaited pool), the server
    /// given to `useForkServer(_:)` starts it, and without one the worker is refused
    /// (`.multithreadedParent`) instead of forked from a process with threads.
    case automatic

    /// Forking this process, warning once if it runs threads.
    public static var fork: PoolStartMethod { .fork(threadPolicy: .warn) }

    /// Makes `server` the one `.automatic` starts workers through once this process runs
    /// threads. Call it first thing in `main`, with a server created with every
    /// `ProcessPool.Work` the program's pools run.
    ///
    /// ```swift
    /// let server = try ForkServer(serving: square)
    /// PoolStartMethod.useForkServer(server)
    /// // later, anywhere, from async code too:
    /// let pool = try ProcessPool(square)
    /// ```
    public static func useForkServer(_ server: ForkServer) {
        registeredServer.withLock { $0 = server }
    }

    private static let registeredServer = Mutex<ForkServer?>(nil)

    /// How the next worker starts.
    enum Resolved {
        case fork(ForkThreadPolicy)
        case server(ForkServer)
    }

    /// What this method means for the next worker: `.automatic` resolved by the number
    /// of threads this process runs now.
    func resolved() throws(ProcessError) -> Resolved {
        switch self {
        case .fork(let threadPolicy): return .fork(threadPolicy)
        case .forkServer(let server): return .server(server)
        case .automatic: break
        }
        var threads: Int32 = 0
        if pc_thread_count(&threads) == 0, threads <= 1 {
            // Refuse rather than warn: a thread started since the count must not be forked.
            return .fork(.refuse)
        }
        guard let server = Self.registeredServer.withLock({ $0 }) else {
            throw ProcessError(.multithreadedParent, operation: "pool worker: this process runs threads and no fork server was given to PoolStartMethod.useForkServer")
        }
        return .server(server)
    }
}
