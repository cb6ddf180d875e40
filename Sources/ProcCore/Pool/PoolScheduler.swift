import CProcShim

import Glibc

/// What runs a `ProcessPool`: its workers, the queue of chunks waiting for one, the table
/// of every task's input and result, and the loop that hands out chunks, collects
/// results, replaces lost workers and enforces the task timeout. It runs only inside a
/// call that waits (`drive`), on the caller's thread; `ProcessPool` is the API in front.
final class PoolScheduler<Input: Codable, Output: Codable> {
    enum State { case running, closed, terminated }

    let workerCount: Int
    let taskTimeout: Duration?
    private let launcher: WorkerLauncher<Input, Output>
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
    private(set) var state = State.running
    /// Workers in a row that died before answering a chunk, to stop replacing workers
    /// whose initializer always fails.
    private var deathsBeforeWork = 0
    /// Tasks cancelled while some of them were queued or in flight: never sent again
    /// (their inputs are gone). Emptied whenever the pool is idle.
    private var cancelled: [Range<Int>] = []


    /// How many chunks a worker is sent ahead of the one it runs: on a busy machine the
    /// parent can wait milliseconds to be scheduled after a result, and the worker should
    /// not wait for it (Python's default chunking, four chunks per worker, goes out at
    /// once). Few, so that a worker slowed by a long task holds few tasks another could run.
    /// At most the cancelled ranges a worker's slot holds (PC_POOL_SLOT_CANCELLED, see `cancel`).
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

    /// Starts `workerCount` workers through `launcher`.
    init(workerCount: Int, taskTimeout: Duration?, launcher: WorkerLauncher<Input, Output>) throws(ProcessError) {
        self.workerCount = workerCount
        self.taskTimeout = taskTimeout
        self.launcher = launcher
        slots = try WorkerSlots(count: workerCount)
        var epfd: Int32 = -1
        try check("epoll_create1", pc_epoll_create(&epfd))
        self.epfd = epfd
        workers = Array(repeating: nil, count: workerCount)
        do throws(ProcessError) {
            for slot in 0..<workerCount { try startWorker(in: slot) }
        } catch {
            terminate()
            throw error
        }
    }

    deinit {
        terminate()
        _ = pc_close(epfd)
    }

    // MARK: - Lifecycle

    /// No more tasks may be submitted.
    func close() {
        if state == .running { state = .closed }
    }

    /// Ends the workers now (SIGTERM, SIGKILL after a second): every task not finished
    /// fails with `.closed`. Idempotent.
    func terminate() {
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
    func join() throws(ProcessError) {
        if state == .running { throw ProcessError(.stillRunning, operation: "join: the pool is not closed") }
        _ = try drive(until: { self.isIdle })
        for worker in workers.compactMap({ $0 }) { retire(worker, grace: .seconds(10)) }
    }

    /// The pids of the live workers, in slot order.
    var workerPIDs: [Int32] { workers.compactMap { $0?.pid } }

    // MARK: - Waiting, for the pool and its handles

    /// Whether `task` has a result waiting.
    func isFinished(_ task: Int) -> Bool { table.isFinished(task) }

    /// Takes `task`'s result (it must be finished).
    func take(_ task: Int) -> Result<Output, TaskFailure> { table.take(task) }

    /// The first task of `tasks` from `start` on with a result waiting.
    func firstFinished(in tasks: Range<Int>, from start: Int) -> Int? {
        table.firstFinished(in: tasks, from: start)
    }

    /// Whether `task`'s result was taken (or abandoned).
    func isTaken(_ task: Int) -> Bool { table.isReleased(task) }

    /// Nobody will take these tasks' results.
    func abandon(_ tasks: some Sequence<Int>) { table.abandon(tasks) }

    /// Stops the work of `tasks`, whose results nobody will take (the caller awaiting them
    /// was cancelled): those still queued are dropped, a worker running one of them (or
    /// holding nothing else) is killed and replaced, and results that still come are
    /// dropped. A worker running another caller's task is not killed (that task would be
    /// lost): it is told through its slot to skip the tasks of `tasks` it was already sent.
    func cancel(_ tasks: Range<Int>) {
        guard !tasks.isEmpty else { return }
        table.abandon(tasks)
        let failure = ProcessError(.taskCancelled, operation: "task: cancelled")
        for task in tasks { table.fail(task, failure) }
        queue.remove(tasks)
        cancelled.append(tasks)
        for case let worker? in workers where worker.inFlight.contains(where: { $0.overlaps(tasks) }) {
            let running = slots.load(slot: worker.slot)?.task
            let holdsOnlyCancelled = worker.inFlight.allSatisfy { $0.removing(tasks).isEmpty }
            guard running.map(tasks.contains) ?? holdsOnlyCancelled else {
                slots.cancel(tasks, slot: worker.slot)
                continue
            }
            worker.killedForCancellation = true
            worker.kill()
            handleExit(of: worker)
        }
        dispatch()
    }

    /// `ranges` without the tasks cancelled since the pool was last idle.
    private func withoutCancelled(_ ranges: [Range<Int>]) -> [Range<Int>] {
        guard !cancelled.isEmpty else { return ranges }
        return ranges.flatMap { range in
            cancelled.reduce([range]) { pieces, gone in pieces.flatMap { $0.removing(gone) } }
        }
    }

    /// Runs the pool until `done()` or `timeout` (nil: no limit); returns `done()`.
    func drive(until done: () -> Bool, timeout: Duration? = nil) throws(ProcessError) -> Bool {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            dispatch()
            if !cancelled.isEmpty && isIdle { cancelled = [] }
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

    // MARK: - Tasks

    var isIdle: Bool {
        queue.isEmpty && workers.allSatisfy { ($0?.inFlight.isEmpty) ?? true }
    }

    func submit(_ newInputs: [Input], chunkSize: Int?) throws(ProcessError) -> Range<Int> {
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

    /// Takes the outputs of `tasks` (all finished), or the first failure among them.
    func collect(_ tasks: Range<Int>) -> Result<[Output], TaskFailure> {
        table.takeAll(tasks)
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
                let rethrown = failure.errorType.flatMap { type in
                    failure.errorBytes.flatMap { launcher.errorTypes.decode(type: type, bytes: $0) }
                }
                table.fail(task, ProcessError(.taskFailed, operation: "task \(task): \(failure.description)"), rethrown: rethrown)
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
            let written = outgoing.withUnsafeBytes { pc_write_all(worker.connection.rawDescriptor, $0.baseAddress, $0.count) }
            if written != 0 {
                // The worker is gone: it is handled when its exit is seen.
                queue.giveBack(withoutCancelled(worker.unsend(from: alreadySent)))
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
        queue.giveBack(withoutCancelled(givenBack))
        if code != 0 && held == nil && !worker.killedForCancellation { deathsBeforeWork += 1 }
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
        _ = pc_epoll_remove(epfd, worker.connection.rawDescriptor)
        _ = pc_epoll_remove(epfd, worker.exitDescriptor)
        // End of stream for the worker even while a process forked from this one since
        // holds a copy of the parent's end (close alone would not be seen then).
        _ = pc_shutdown_write(worker.connection.rawDescriptor)
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
        let process = try launcher.start(
            slot: slot, slots: slots, workerEnd: workerEnd,
            parentDescriptors: [parentEnd.rawDescriptor, epfd] + workers.compactMap { $0?.connection.rawDescriptor })
        let worker = PoolWorker(slot: slot, connection: parentEnd, process: process)
        try check("epoll_ctl", pc_epoll_watch_readable(epfd, parentEnd.rawDescriptor, UInt64(slot * 2)))
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
