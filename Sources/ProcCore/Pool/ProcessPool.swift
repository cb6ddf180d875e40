import CProcShim

import Glibc

/// A pool of worker processes, as Python's `multiprocessing.Pool`, for a function from a
/// `Codable` input to a `Codable` output, without Pool's hang when a worker dies.
///
/// ```swift
/// let pool = try ProcessPool(workers: 4) { (n: Int) in n * n }
/// let squares = try pool.map(1...100)        // in order; or `try await pool.map(...)`
/// let one = try pool.applyAsync(12)          // a handle: get(timeout:), wait, isReady
/// print(squares.last!, try one.get())        // 10000 144
/// pool.close(); try pool.join()
/// ```
///
/// Each task ends as its own result: the function's output, or a `ProcessError` on that
/// task alone: `.taskFailed` when it threw (with the error's description),
/// `.workerLost` when its worker died while running it (killed, crashed, `exit`, or
/// SIGKILLed by the pool when the task ran past `taskTimeout`; the error's operation tells
/// which, with the exit code or signal). A lost worker is replaced and the tasks it had been sent but not
/// started run elsewhere, so the others all complete. The parent knows which task each
/// worker runs from a slot the worker writes in shared memory before each task
/// (billiard's acknowledgement, without a message).
///
/// The pool runs no thread: results are collected, tasks handed out, workers replaced
/// and timeouts enforced while a call of the pool waits (`map`, `get`, `join`...), on
/// the caller's thread or, for the async forms, on ProcCore's watcher thread. A pool is
/// used from one thread or task at a time. Dropping it terminates its workers; `close()`
/// then `join()` lets them finish the work first. No worker or zombie is left either way,
/// nor when the program exits holding the pool (in a global, say): its workers are daemon
/// children, terminated at exit as Python's are.
public final class ProcessPool<Input: Codable, Output: Codable> {
    /// The number of workers.
    public let workerCount: Int
    /// A worker is replaced after this many tasks (nil: never).
    public let maxTasksPerChild: Int?
    /// A task running longer fails as `.workerLost` and its worker is killed (nil: no limit).
    public let taskTimeout: Duration?
    /// A worker whose peak resident memory (ru_maxrss) passes this many bytes is replaced
    /// after its current chunk (nil: no ceiling).
    public let memoryLimit: Int?

    /// The workers, the tasks and the loop that runs them.
    let scheduler: PoolScheduler<Input, Output>

    /// A pool whose workers are forks of this process running `work`, which may capture
    /// what it needs (the fork copies it). `workers` defaults to the number of cores;
    /// `initializer` runs once in each worker. An error `work` throws of one of the
    /// `rethrownErrors` types comes back as itself to the awaited forms (see `Work`).
    public convenience init(
        workers: Int? = nil,
        maxTasksPerChild: Int? = nil,
        taskTimeout: Duration? = nil,
        memoryLimit: Int? = nil,
        threadPolicy: ForkThreadPolicy = .warn,
        rethrownErrors: [any (Error & Codable).Type] = [],
        initializer: (() throws -> Void)? = nil,
        _ work: @escaping (Input) throws -> Output
    ) throws(ProcessError) {
        try self.init(
            name: "work", rethrownErrors: rethrownErrors, initializer: initializer, function: work, workers: workers,
            maxTasksPerChild: maxTasksPerChild, taskTimeout: taskTimeout, memoryLimit: memoryLimit,
            startMethod: .fork(threadPolicy: threadPolicy))
    }

    /// A pool running `work`, its workers started by `startMethod`: with `.forkServer`,
    /// the server must have been created with `work`. By default, forks while this
    /// process runs one thread, and goes through the server given to
    /// `PoolStartMethod.useForkServer(_:)` once it runs more (see `.automatic`).
    public convenience init(
        _ work: Work,
        workers: Int? = nil,
        maxTasksPerChild: Int? = nil,
        taskTimeout: Duration? = nil,
        memoryLimit: Int? = nil,
        startMethod: PoolStartMethod = .automatic
    ) throws(ProcessError) {
        try self.init(
            name: work.name, rethrownErrors: work.rethrownErrors, initializer: work.initializer, function: work.function, workers: workers,
            maxTasksPerChild: maxTasksPerChild, taskTimeout: taskTimeout, memoryLimit: memoryLimit,
            startMethod: startMethod)
    }

    private init(
        name: String,
        rethrownErrors: [any (Error & Codable).Type],
        initializer: (() throws -> Void)?,
        function: @escaping (Input) throws -> Output,
        workers: Int?,
        maxTasksPerChild: Int?,
        taskTimeout: Duration?,
        memoryLimit: Int?,
        startMethod: PoolStartMethod
    ) throws(ProcessError) {
        let count = workers ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard count >= 1, (maxTasksPerChild ?? 1) >= 1, (taskTimeout ?? .seconds(1)) > .zero else {
            throw ProcessError(.invalidArgument, operation: "ProcessPool: workers and maxTasksPerChild must be at least 1, taskTimeout positive")
        }
        workerCount = count
        self.maxTasksPerChild = maxTasksPerChild
        self.taskTimeout = taskTimeout
        self.memoryLimit = memoryLimit
        let launcher = WorkerLauncher(
            startMethod: startMethod, workName: name, initializer: initializer, function: function,
            maxTasks: maxTasksPerChild, memoryLimit: memoryLimit, errorTypes: TaskErrorTypes(rethrownErrors))
        scheduler = try PoolScheduler(workerCount: count, taskTimeout: taskTimeout, launcher: launcher)
    }

    // MARK: - Python's API

    /// The outputs of `work` for every input, in order. Waits for every task, then throws
    /// the error of the first task (in input order) that failed, if one did; the pool
    /// goes on serving. `chunkSize` defaults to Python's: about four chunks per worker.
    @inlinable
    public func map(_ inputs: some Sequence<Input>, chunkSize: Int? = nil) throws(ProcessError) -> [Output] {
        try map(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline
    func map(collected inputs: [Input], chunkSize: Int?) throws(ProcessError) -> [Output] {
        let scheduler = self.scheduler
        let tasks = try scheduler.submit(inputs, chunkSize: chunkSize)
        var finished = tasks.lowerBound
        _ = try scheduler.drive(until: { scheduler.allFinished(tasks, from: &finished) })
        return try scheduler.collect(tasks).mapError(\.error).get()
    }

    /// Each task's result in input order, as they come (Python's `imap`, default chunk size 1).
    @inlinable
    public func imap(_ inputs: some Sequence<Input>, chunkSize: Int = 1) throws(ProcessError) -> OrderedResults {
        try imap(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline
    func imap(collected inputs: [Input], chunkSize: Int) throws(ProcessError) -> OrderedResults {
        OrderedResults(scheduler: scheduler, tasks: try scheduler.submit(inputs, chunkSize: chunkSize))
    }

    /// Each task's result with its input's index, in the order they finish (Python's `imap_unordered`).
    @inlinable
    public func imapUnordered(_ inputs: some Sequence<Input>, chunkSize: Int = 1) throws(ProcessError) -> UnorderedResults {
        try imapUnordered(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline
    func imapUnordered(collected inputs: [Input], chunkSize: Int) throws(ProcessError) -> UnorderedResults {
        UnorderedResults(scheduler: scheduler, tasks: try scheduler.submit(inputs, chunkSize: chunkSize))
    }

    /// The inputs as an array, made in the caller's module where the sequence's and the
    /// input's types are known (`@inlinable`): in the pool's own generic code, copying a
    /// range of a million Ints costs a call per element through witness tables.
    @inlinable
    static func array(of inputs: some Sequence<Input>) -> [Input] {
        Array(inputs)
    }

    /// Starts a `map` and returns its handle at once (Python's `map_async`): `get(timeout:)`,
    /// `wait(timeout:)`, `isReady`. Python's callbacks are the code after `get`.
    @inlinable
    public func mapAsync(_ inputs: some Sequence<Input>, chunkSize: Int? = nil) throws(ProcessError) -> PendingMap {
        try mapAsync(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline
    func mapAsync(collected inputs: [Input], chunkSize: Int?) throws(ProcessError) -> PendingMap {
        PendingMap(scheduler: scheduler, tasks: try scheduler.submit(inputs, chunkSize: chunkSize))
    }

    /// Runs one task and waits for its output (Python's `apply`).
    public func apply(_ input: Input) throws(ProcessError) -> Output {
        try applyAsync(input).get()
    }

    /// Starts one task and returns its handle at once (Python's `apply_async`).
    public func applyAsync(_ input: Input) throws(ProcessError) -> PendingResult {
        PendingResult(scheduler: scheduler, task: try scheduler.submit([input], chunkSize: 1).lowerBound)
    }

    /// No more tasks may be submitted; the workers finish those submitted, then `join()` ends them.
    public func close() {
        scheduler.close()
    }

    /// Ends the workers now (SIGTERM, SIGKILL after a second): every task not finished
    /// fails with `.closed`. Idempotent.
    public func terminate() {
        scheduler.terminate()
    }

    /// After `close()`: waits for every task to finish and every worker to exit. After
    /// `terminate()`: returns at once (the workers are gone). Throws `.stillRunning` on a
    /// pool neither closed nor terminated, as Python does.
    public func join() throws(ProcessError) {
        try scheduler.join()
    }

    /// The pids of the live workers, in slot order.
    public var workerPIDs: [pid_t] { scheduler.workerPIDs }
}
