import CProcShim

#if canImport(Glibc)
import Glibc
#endif

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

    private enum State { case running, closed, terminated }

    private let startMethod: PoolStartMethod
    private let workName: String
    private let initializer: (() throws -> Void)?
    private let function: (Input) throws -> Output
    private let slots: WorkerSlots
    /// Every worker's connection and exit descriptor, level-triggered: what `drive` waits on.
    private let epfd: Int32
    private var workers: [PoolWorker?]
    private var queue = TaskQueue()
    /// Every task's input, then its result, until taken.
    private let table = TaskTable<Input, Output>()
    private let wire = ChunkWire<Input, Output>()
    /// The messages of the chunks going to one worker, kept between calls for its capacity.
    private var outgoing: [UInt8] = []
    private var state = State.running
    /// Workers in a row that died before answering a chunk, to stop replacing workers
    /// whose initializer always fails.
    private var deathsBeforeWork = 0

    /// How many chunks a worker is sent ahead of the one it runs: on a busy machine the
    /// parent can wait milliseconds to be scheduled after a result, and the worker should
    /// not wait for it (Python's default chunking, four chunks per worker, goes out at
    /// once). Few, so that a worker slowed by a long task holds few tasks another could run.
    private static var chunksInFlightPerWorker: Int { 4 }

    /// A worker whose last chunk took longer than this (the work is not the pool's cost any
    /// more) holds only `chunksInFlightPerSlowWorker` chunks: at the end of a map, tasks
    /// queued behind a long one would idle the other workers.
    private static var slowChunkNanoseconds: Int64 { 1_000_000 }
    private static var chunksInFlightPerSlowWorker: Int { 2 }

    /// At most this many bytes of chunk messages wait unread for a worker, beyond a single
    /// chunk sent when it has none: the parent's write of a chunk then never blocks (a
    /// socket's buffer holds about 200 KiB) while the worker blocks writing a result the
    /// parent is not reading, which deadlocked both with large chunks.
    private static var unreadBytesPerWorker: Int { 64 << 10 }

    /// A pool whose workers are forks of this process running `work`, which may capture
    /// what it needs (the fork copies it). `workers` defaults to the number of cores;
    /// `initializer` runs once in each worker.
    public convenience init(
        workers: Int? = nil,
        maxTasksPerChild: Int? = nil,
        taskTimeout: Duration? = nil,
        memoryLimit: Int? = nil,
        threadPolicy: ForkThreadPolicy = .warn,
        initializer: (() throws -> Void)? = nil,
        _ work: @escaping (Input) throws -> Output
    ) throws(ProcessError) {
        try self.init(
            name: "work", initializer: initializer, function: work, workers: workers,
            maxTasksPerChild: maxTasksPerChild, taskTimeout: taskTimeout, memoryLimit: memoryLimit,
            startMethod: .fork(threadPolicy: threadPolicy))
    }

    /// A pool running `work`, its workers started by `startMethod`: with `.forkServer`,
    /// the server must have been created with `work`.
    public convenience init(
        _ work: Work,
        workers: Int? = nil,
        maxTasksPerChild: Int? = nil,
        taskTimeout: Duration? = nil,
        memoryLimit: Int? = nil,
        startMethod: PoolStartMethod = .fork
    ) throws(ProcessError) {
        try self.init(
            name: work.name, initializer: work.initializer, function: work.function, workers: workers,
            maxTasksPerChild: maxTasksPerChild, taskTimeout: taskTimeout, memoryLimit: memoryLimit,
            startMethod: startMethod)
    }

    private init(
        name: String,
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
        self.startMethod = startMethod
        self.workName = name
        self.initializer = initializer
        self.function = function
        slots = try WorkerSlots(count: count)
        var epfd: Int32 = -1
        try check("epoll_create1", pc_epoll_create(&epfd))
        self.epfd = epfd
        self.workers = Array(repeating: nil, count: count)
        do throws(ProcessError) {
            for slot in 0..<count { try startWorker(in: slot) }
        } catch {
            terminate()
            throw error
        }
    }

    deinit {
        terminate()
        _ = pc_close(epfd)
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
        let tasks = try submit(inputs, chunkSize: chunkSize)
        var finished = tasks.lowerBound
        _ = try drive(until: { self.allFinished(tasks, from: &finished) })
        return try collect(tasks)
    }

    /// Each task's result in input order, as they come (Python's `imap`, default chunk size 1).
    @inlinable
    public func imap(_ inputs: some Sequence<Input>, chunkSize: Int = 1) throws(ProcessError) -> OrderedResults {
        try imap(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline
    func imap(collected inputs: [Input], chunkSize: Int) throws(ProcessError) -> OrderedResults {
        OrderedResults(pool: self, tasks: try submit(inputs, chunkSize: chunkSize))
    }

    /// Each task's result with its input's index, in the order they finish (Python's `imap_unordered`).
    @inlinable
    public func imapUnordered(_ inputs: some Sequence<Input>, chunkSize: Int = 1) throws(ProcessError) -> UnorderedResults {
        try imapUnordered(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline
    func imapUnordered(collected inputs: [Input], chunkSize: Int) throws(ProcessError) -> UnorderedResults {
        UnorderedResults(pool: self, tasks: try submit(inputs, chunkSize: chunkSize))
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
        PendingMap(pool: self, tasks: try submit(inputs, chunkSize: chunkSize))
    }

    /// Runs one task and waits for its output (Python's `apply`).
    public func apply(_ input: Input) throws(ProcessError) -> Output {
        try applyAsync(input).get()
    }

    /// Starts one task and returns its handle at once (Python's `apply_async`).
    public func applyAsync(_ input: Input) throws(ProcessError) -> PendingResult {
        PendingResult(pool: self, task: try submit([input], chunkSize: 1).lowerBound)
    }

    /// No more tasks may be submitted; the workers finish those submitted, then `join()` ends them.
    public func close() {
        if state == .running { state = .closed }
    }

    /// Ends the workers now (SIGTERM, SIGKILL after a second): every task not finished
    /// fails with `.closed`. Idempotent.
    public func terminate() {
        guard state != .terminated else { return }
        state = .terminated
        let live = workers.compactMap { $0 }
        for worker in live { worker.terminate() }
        for worker in live { retire(worker, grace: .seconds(1)) }
        var unfinished = queue.removeAll()
        for worker in live { unfinished += worker.inFlight }
        let failure = ProcessError(.closed, operation: "task: pool terminated")
        for range in unfinished { for task in range { table.fail(task, failure) } }
    }

    /// After `close()`: waits for every task to finish and every worker to exit. After
    /// `terminate()`: returns at once (the workers are gone). Throws `.stillRunning` on a
    /// pool neither closed nor terminated, as Python does.
    public func join() throws(ProcessError) {
        if state == .running { throw ProcessError(.stillRunning, operation: "join: the pool is not closed") }
        _ = try drive(until: { self.isIdle })
        for worker in workers.compactMap({ $0 }) { retire(worker, grace: .seconds(10)) }
    }

    /// The pids of the live workers, in slot order.
    public var workerPIDs: [Int32] { workers.compactMap { $0?.pid } }

    // MARK: - Async forms

    /// `map`, waiting without blocking a thread. Cancelling the task stops the wait and
    /// throws `CancellationError`; the map's tasks still run, their results are dropped.
    @inlinable nonisolated(nonsending)
    public func map(_ inputs: some Sequence<Input>, chunkSize: Int? = nil) async throws -> [Output] {
        try await map(collected: Self.array(of: inputs), chunkSize: chunkSize)
    }

    @usableFromInline nonisolated(nonsending)
    func map(collected inputs: [Input], chunkSize: Int?) async throws -> [Output] {
        let tasks = try submit(inputs, chunkSize: chunkSize)
        var finished = tasks.lowerBound
        do {
            try await driveAsync(until: { self.allFinished(tasks, from: &finished) })
        } catch {
            abandon(tasks)
            throw error
        }
        return try collect(tasks)
    }

    /// `apply`, waiting without blocking a thread.
    nonisolated(nonsending)
    public func apply(_ input: Input) async throws -> Output {
        try await applyAsync(input).get()
    }

    // MARK: - Internal: handles

    /// Whether `task` has a result waiting.
    func isFinished(_ task: Int) -> Bool { table.isFinished(task) }

    /// Takes `task`'s result (it must be finished).
    func take(_ task: Int) -> Result<Output, ProcessError> { table.take(task) }

    /// The first task of `tasks` from `start` on with a result waiting.
    func firstFinished(in tasks: Range<Int>, from start: Int) -> Int? {
        table.firstFinished(in: tasks, from: start)
    }

    /// Whether `task`'s result was taken (or abandoned).
    func isTaken(_ task: Int) -> Bool { table.isReleased(task) }

    /// Nobody will take these tasks' results.
    func abandon(_ tasks: some Sequence<Int>) { table.abandon(tasks) }

    /// Runs the pool until `done()` or `timeout` (nil: no limit); returns `done()`.
    func drive(until done: () -> Bool, timeout: Duration? = nil) throws(ProcessError) -> Bool {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            dispatch()
            if done() { return true }
            if isIdle {
                // Nothing runs or waits that could finish what `done` waits for.
                throw ProcessError(.closed, operation: "wait: no task left to finish")
            }
            var wait = nextTimeoutCheck().map { ContinuousClock.now.duration(to: $0) }
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                wait = min(wait ?? left, left)
            }
            // A deadline that has passed still gets one look at what is ready.
            try waitForEvents(milliseconds: wait.map { $0.roundedUpMilliseconds } ?? -1)
            enforceTimeouts()
            if let deadline, ContinuousClock.now >= deadline {
                dispatch()
                return done()
            }
        }
    }

    /// `drive`, awaiting readiness on the watcher thread instead of blocking in epoll_wait.
    nonisolated(nonsending)
    func driveAsync(until done: () -> Bool) async throws {
        while true {
            if try drive(until: done, timeout: .zero) { return }
            let outcome = try await DescriptorWatcher.shared.waitUntilReadable(
                epfd, onCancel: .stopWaiting, deadline: nextTimeoutCheck())
            if outcome == .cancelled { throw CancellationError() }
        }
    }

    // MARK: - Private: tasks

    private var isIdle: Bool {
        queue.isEmpty && workers.allSatisfy { ($0?.inFlight.isEmpty) ?? true }
    }

    private func submit(_ newInputs: [Input], chunkSize: Int?) throws(ProcessError) -> Range<Int> {
        guard state == .running else { throw ProcessError(.closed, operation: "submit: pool closed") }
        if let chunkSize, chunkSize < 1 {
            throw ProcessError(.invalidArgument, operation: "chunkSize \(chunkSize): must be at least 1")
        }
        let size = chunkSize ?? Self.defaultChunkSize(tasks: newInputs.count, workers: workerCount)
        let tasks = table.append(newInputs)
        var start = tasks.lowerBound
        while start < tasks.upperBound {
            let end = min(start + size, tasks.upperBound)
            queue.append(start..<end)
            start = end
        }
        dispatch()
        return tasks
    }

    /// Python's `Pool.map` chunk size: the tasks in about four chunks per worker.
    static func defaultChunkSize(tasks: Int, workers: Int) -> Int {
        let (size, extra) = tasks.quotientAndRemainder(dividingBy: workers * 4)
        return max(1, extra > 0 ? size + 1 : size)
    }

    func allFinished(_ tasks: Range<Int>, from finished: inout Int) -> Bool {
        table.allFinished(tasks, from: &finished)
    }

    func collect(_ tasks: Range<Int>) throws(ProcessError) -> [Output] {
        try table.takeAll(tasks).get()
    }

    /// Records how the tasks of a chunk's result ended: runs of successes in one step.
    private func settle(_ result: PoolMessage.ChunkResult<Output>) {
        result.outputs.withUnsafeBufferPointer { outputs in
            var task = result.first
            var nextOutput = 0
            for failure in result.failures {
                let successes = result.first + failure.offset - task
                table.succeed(first: task, with: UnsafeBufferPointer(rebasing: outputs[nextOutput..<(nextOutput + successes)]))
                nextOutput += successes
                task += successes
                table.fail(task, ProcessError(.taskFailed, operation: "task \(task): \(failure.description)"))
                task += 1
            }
            table.succeed(first: task, with: UnsafeBufferPointer(rebasing: outputs[nextOutput...]))
        }
    }

    // MARK: - Private: workers

    /// Sends chunks to every worker with room for one, all of a worker's in one write.
    private func dispatch() {
        for case let worker? in workers where !worker.retiring {
            outgoing.removeAll(keepingCapacity: true)
            let alreadySent = worker.inFlight.count
            let limit = worker.lastChunkNanoseconds > Self.slowChunkNanoseconds
                ? Self.chunksInFlightPerSlowWorker : Self.chunksInFlightPerWorker
            while worker.inFlight.count < limit, let range = queue.popFirst() {
                let start = outgoing.count
                do {
                    try table.withInputs(range) { (inputs) throws(ProcessError) in
                        try wire.appendChunk(first: range.lowerBound, inputs: inputs, to: &outgoing)
                    }
                } catch {
                    // Only encoding throws here: a value that cannot be encoded fails its chunk.
                    for task in range { table.fail(task, error) }
                    continue
                }
                let size = outgoing.count - start
                if !worker.inFlight.isEmpty && worker.inFlightBytes + size > Self.unreadBytesPerWorker {
                    outgoing.removeSubrange(start...)
                    queue.giveBack([range])
                    break
                }
                worker.sent(range, bytes: size)
            }
            guard !outgoing.isEmpty else { continue }
            let written = outgoing.withUnsafeBytes { pc_write_all(worker.connection.descriptor, $0.baseAddress, $0.count) }
            if written != 0 {
                // The worker is gone: it is handled when its exit is seen.
                queue.giveBack(worker.unsend(from: alreadySent))
                worker.retiring = true
            }
        }
    }

    private func waitForEvents(milliseconds: Int32) throws(ProcessError) {
        var tokens = [UInt64](repeating: 0, count: 64)
        var count: Int32 = 0
        try check("epoll_wait", tokens.withUnsafeMutableBufferPointer {
            pc_epoll_wait(epfd, $0.baseAddress, Int32($0.count), milliseconds, &count)
        })
        for token in tokens[0..<Int(count)] {
            let slot = Int(token / 2)
            guard slot < workers.count, let worker = workers[slot] else { continue }
            if token % 2 == 0 {
                if !receiveResults(from: worker) { handleExit(of: worker) }
            } else {
                handleExit(of: worker)
            }
        }
    }

    /// Reads every result the worker has sent; false when its connection has ended.
    private func receiveResults(from worker: PoolWorker) -> Bool {
        repeat {
            guard let bytes = try? worker.connection.receiveBytes(),
                  let result = try? wire.decodeResult(bytes),
                  let range = worker.inFlight.first, range.lowerBound == result.first,
                  result.count == range.count
            else { return false }
            worker.answered()
            deathsBeforeWork = 0
            settle(result)
        } while (try? worker.connection.poll(timeout: .zero)) == true
        return true
    }

    /// The worker's process has ended (or its connection has): settles the task it held,
    /// gives back the others it had been sent, and starts its replacement.
    private func handleExit(of worker: PoolWorker) {
        // What it sent before it went still counts.
        while (try? worker.connection.poll(timeout: .zero)) == true, receiveResults(from: worker) {}
        let held = slots.load(slot: worker.slot)?.task
        retire(worker, grace: .seconds(1))
        let code = worker.join(timeout: .zero)
        var givenBack: [Range<Int>] = []
        for range in worker.inFlight {
            guard let held, range.contains(held) else {
                givenBack.append(range)
                continue
            }
            if range.lowerBound < held { givenBack.append(range.lowerBound..<held) }
            if held + 1 < range.upperBound { givenBack.append((held + 1)..<range.upperBound) }
            let error = worker.timedOutTask == held
                ? ProcessError(.workerLost, operation: "task \(held): ran over \(taskTimeout!); worker \(worker.pid) killed")
                : ProcessError(.workerLost, operation: "task \(held): worker \(worker.pid) \(Self.describe(exitCode: code))")
            table.fail(held, error)
        }
        _ = worker.unsend()
        queue.giveBack(givenBack)
        if code != 0 && held == nil { deathsBeforeWork += 1 }
        guard state != .terminated, state == .running || !isIdle else { return }
        if deathsBeforeWork > 3 * workerCount {
            failQueued(ProcessError(.workerLost, operation: "task: workers keep ending before any task (last: \(Self.describe(exitCode: code)))"))
            return
        }
        do {
            try startWorker(in: worker.slot)
        } catch {
            if workers.allSatisfy({ $0 == nil }) { failQueued(error) }
        }
    }

    private func failQueued(_ error: ProcessError) {
        for range in queue.removeAll() { for task in range { table.fail(task, error) } }
    }

    /// Closes the worker's connection (it exits between chunks at end of stream), waits
    /// `grace` for it, kills it if it still runs, and frees its slot.
    private func retire(_ worker: PoolWorker, grace: Duration) {
        _ = pc_epoll_remove(epfd, worker.connection.descriptor)
        _ = pc_epoll_remove(epfd, worker.exitDescriptor)
        // End of stream for the worker even while a process forked from this one since
        // holds a copy of the parent's end (close alone would not be seen then).
        _ = pc_shutdown_write(worker.connection.descriptor)
        worker.connection.close()
        _ = worker.end(grace: grace)
        if workers[worker.slot] === worker { workers[worker.slot] = nil }
        slots.reset(slot: worker.slot)
    }

    private static func describe(exitCode code: Int32?) -> String {
        guard let code else { return "ended" }
        return code < 0 ? "was killed by signal \(-code)" : "exited with code \(code)"
    }

    private func startWorker(in slot: Int) throws(ProcessError) {
        let pipe = try Pipe(duplex: true)
        let parentEnd = pipe.first
        let workerEnd = pipe.second
        defer { workerEnd.close() }
        let process: PoolWorker.Process
        switch startMethod {
        case .fork(let threadPolicy):
            // What the worker must not hold: the parent's ends of every connection (or no
            // end of stream would ever come) and the pool's epoll set.
            let parentDescriptors = [parentEnd.descriptor, epfd] + workers.compactMap { $0?.connection.descriptor }
            let loop = WorkerLoop(
                connection: workerEnd, slots: slots, slot: slot, maxTasks: maxTasksPerChild,
                memoryLimit: memoryLimit, initializer: initializer, function: function)
            // A daemon, as Python's pool workers are: a program that exits holding the pool
            // (a global is never dropped) terminates its workers instead of waiting for them.
            let child = ChildProcess(name: "PoolWorker-\(slot)", isDaemon: true, threadPolicy: threadPolicy) {
                for fd in parentDescriptors { _ = pc_close(fd) }
                try loop.run()
            }
            try child.start()
            process = .forked(child)
        case .forkServer(let server):
            let settings = PoolMessage.WorkerSettings(
                slot: slot, slotCount: slots.count, maxTasks: maxTasksPerChild, memoryLimit: memoryLimit)
            process = .served(try server.start(
                entryNamed: workName, argument: BinaryEncoder().encode(settings),
                passing: [workerEnd.descriptor, slots.descriptor]))
        }
        let worker = PoolWorker(slot: slot, connection: parentEnd, process: process)
        try check("epoll_ctl", pc_epoll_watch_readable(epfd, parentEnd.descriptor, UInt64(slot * 2)))
        try check("epoll_ctl", pc_epoll_watch_readable(epfd, worker.exitDescriptor, UInt64(slot * 2 + 1)))
        workers[slot] = worker
    }

    // MARK: - Private: timeouts

    /// When the next running task reaches its timeout, if any does.
    private func nextTimeoutCheck() -> ContinuousClock.Instant? {
        guard let taskTimeout else { return nil }
        let now = pc_monotonic_ns()
        var earliest: Int64?
        for case let worker? in workers where worker.timedOutTask == nil {
            guard let running = slots.load(slot: worker.slot) else { continue }
            let expiry = running.startedNanoseconds + taskTimeout.nanoseconds
            earliest = min(earliest ?? expiry, expiry)
        }
        // A worker idle now may start a task at any moment: look again within the timeout.
        let fallback = now + taskTimeout.nanoseconds
        let at = min(earliest ?? fallback, fallback)
        return ContinuousClock.now + .nanoseconds(max(0, at - now))
    }

    /// SIGKILLs every worker whose task has run past the timeout.
    private func enforceTimeouts() {
        guard let taskTimeout else { return }
        let now = pc_monotonic_ns()
        for case let worker? in workers where worker.timedOutTask == nil {
            guard let running = slots.load(slot: worker.slot),
                  now - running.startedNanoseconds >= taskTimeout.nanoseconds else { continue }
            worker.timedOutTask = running.task
            worker.kill()
        }
    }
}
