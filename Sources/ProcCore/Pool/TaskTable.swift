/// Every task of a pool from the oldest one not yet taken: its input until it ends, then
/// its output or its failure until it is taken. Task indices are consecutive, so the table
/// is three contiguous buffers indexed by `task - base` (no hashing, no allocation per
/// task), and a chunk's inputs and outputs move in and out as whole runs: the pool's code
/// is generic and not specialized for the caller's types, so each per-element operation
/// it avoids saves a call through the type's witness tables.
///
/// Memory runs from the oldest task not yet taken (or abandoned) to the newest one.
final class TaskTable<Input, Output> {
    /// The task index of the first entry.
    private var base = 0
    private var states: [TaskState] = []
    private var capacity = 0
    private var inputs: UnsafeMutablePointer<Input>
    private var outputs: UnsafeMutablePointer<Output>
    private var failures: [Int: TaskFailure] = [:]

    init() {
        inputs = .allocate(capacity: 0)
        outputs = .allocate(capacity: 0)
    }

    deinit {
        releaseAll()
        inputs.deallocate()
        outputs.deallocate()
    }

    /// The index the next appended task gets.
    var end: Int { base + states.count }

    /// Appends `newInputs` as pending tasks; their indices.
    func append(_ newInputs: [Input]) -> Range<Int> {
        dropReleasedPrefix()
        reserve(states.count + newInputs.count)
        newInputs.withUnsafeBufferPointer {
            if let source = $0.baseAddress { (inputs + states.count).initialize(from: source, count: $0.count) }
        }
        let tasks = end..<(end + newInputs.count)
        states.append(contentsOf: repeatElement(.pending, count: newInputs.count))
        return tasks
    }

    /// Whether `task` still waits for its result (queued or running).
    func isPending(_ task: Int) -> Bool {
        guard let state = state(of: task) else { return false }
        return state == .pending || state == .pendingAbandoned
    }

    /// Whether `task` has a result waiting to be taken.
    func isFinished(_ task: Int) -> Bool {
        guard let state = state(of: task) else { return false }
        return state == .succeeded || state == .failed
    }

    /// Whether every task of `tasks` from `finished` on has ended; moves `finished` past
    /// those that have.
    func allFinished(_ tasks: Range<Int>, from finished: inout Int) -> Bool {
        while finished < tasks.upperBound, let state = state(of: finished), state != .pending, state != .pendingAbandoned {
            finished += 1
        }
        return finished == tasks.upperBound
    }

    /// The first task of `tasks` from `start` on with a result waiting.
    func firstFinished(in tasks: Range<Int>, from start: Int) -> Int? {
        var task = max(start, base)
        while task < tasks.upperBound {
            if isFinished(task) { return task }
            task += 1
        }
        return nil
    }

    /// Whether `task` was taken or abandoned (or is older than every entry).
    func isReleased(_ task: Int) -> Bool {
        guard let state = state(of: task) else { return task < base }
        return state == .released || state == .pendingAbandoned
    }

    /// Copies of the inputs of `tasks` (all pending), for a chunk's message.
    func withInputs<R>(_ tasks: Range<Int>, _ body: (UnsafeBufferPointer<Input>) throws(ProcessError) -> R) throws(ProcessError) -> R {
        try body(UnsafeBufferPointer(start: inputs + (tasks.lowerBound - base), count: tasks.count))
    }

    /// Settles the pending tasks `first, first + 1, ...` with the outputs in `values`;
    /// tasks no longer pending are left as they are.
    func succeed(first: Int, with values: UnsafeBufferPointer<Output>) {
        guard let source = values.baseAddress else { return }
        var offset = 0
        while offset < values.count {
            // The longest run of tasks in the same state, handled in one step.
            let task = first + offset
            guard let state = state(of: task) else { offset += 1; continue }
            var run = 1
            while offset + run < values.count, self.state(of: task + run) == state { run += 1 }
            let index = task - base
            switch state {
            case .pending:
                (inputs + index).deinitialize(count: run)
                (outputs + index).initialize(from: source + offset, count: run)
                for i in index..<(index + run) { states[i] = .succeeded }
            case .pendingAbandoned:
                (inputs + index).deinitialize(count: run)
                for i in index..<(index + run) { states[i] = .released }
            case .succeeded, .failed, .released:
                break
            }
            offset += run
        }
    }

    /// Settles `task`, if still pending, as failed with `error`.
    func fail(_ task: Int, _ error: ProcessError, rethrown: (any Error)? = nil) {
        guard let state = state(of: task) else { return }
        let index = task - base
        switch state {
        case .pending:
            (inputs + index).deinitialize(count: 1)
            failures[task] = TaskFailure(error, rethrown: rethrown)
            states[index] = .failed
        case .pendingAbandoned:
            (inputs + index).deinitialize(count: 1)
            states[index] = .released
        case .succeeded, .failed, .released:
            break
        }
    }

    /// Takes `task`'s result (it must be finished).
    func take(_ task: Int) -> Result<Output, TaskFailure> {
        let index = task - base
        let state = states[index]
        states[index] = .released
        if state == .succeeded { return .success((outputs + index).move()) }
        return .failure(failures.removeValue(forKey: task)!)
    }

    /// Takes the outputs of `tasks` (all finished) in order, or the failure of the first
    /// that failed (the others are released too).
    func takeAll(_ tasks: Range<Int>) -> Result<[Output], TaskFailure> {
        let start = tasks.lowerBound - base
        if let failed = (start..<(start + tasks.count)).first(where: { states[$0] == .failed }) {
            let failure = failures[base + failed]!
            for task in tasks { _ = take(task) }
            return .failure(failure)
        }
        let outputs = [Output](unsafeUninitializedCapacity: tasks.count) { buffer, count in
            buffer.baseAddress!.moveInitialize(from: self.outputs + start, count: tasks.count)
            count = tasks.count
        }
        for i in start..<(start + tasks.count) { states[i] = .released }
        return .success(outputs)
    }

    /// Nobody will take these tasks' results: what they hold goes now, or when they end.
    func abandon(_ tasks: some Sequence<Int>) {
        for task in tasks {
            guard let state = state(of: task) else { continue }
            let index = task - base
            switch state {
            case .pending: states[index] = .pendingAbandoned
            case .succeeded: (outputs + index).deinitialize(count: 1); states[index] = .released
            case .failed: failures[task] = nil; states[index] = .released
            case .pendingAbandoned, .released: break
            }
        }
    }

    // MARK: - Private

    private func state(of task: Int) -> TaskState? {
        let index = task - base
        return index >= 0 && index < states.count ? states[index] : nil
    }

    /// Forgets the entries at the front that hold nothing, moving the rest to the front
    /// once they are at most half of the table.
    private func dropReleasedPrefix() {
        var dropped = 0
        while dropped < states.count && states[dropped] == .released { dropped += 1 }
        guard dropped > 0, dropped == states.count || dropped * 2 >= states.count else { return }
        let kept = states.count - dropped
        for index in 0..<kept { moveEntry(from: dropped + index, to: index) }
        states.removeFirst(dropped)
        base += dropped
    }

    private func moveEntry(from source: Int, to destination: Int) {
        switch states[source] {
        case .pending, .pendingAbandoned: (inputs + destination).moveInitialize(from: inputs + source, count: 1)
        case .succeeded: (outputs + destination).moveInitialize(from: outputs + source, count: 1)
        case .failed, .released: break
        }
    }

    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        let newCapacity = max(count, capacity * 2, 64)
        let newInputs = UnsafeMutablePointer<Input>.allocate(capacity: newCapacity)
        let newOutputs = UnsafeMutablePointer<Output>.allocate(capacity: newCapacity)
        for index in states.indices {
            switch states[index] {
            case .pending, .pendingAbandoned: (newInputs + index).moveInitialize(from: inputs + index, count: 1)
            case .succeeded: (newOutputs + index).moveInitialize(from: outputs + index, count: 1)
            case .failed, .released: break
            }
        }
        inputs.deallocate()
        outputs.deallocate()
        inputs = newInputs
        outputs = newOutputs
        capacity = newCapacity
    }

    private func releaseAll() {
        for index in states.indices {
            switch states[index] {
            case .pending, .pendingAbandoned: (inputs + index).deinitialize(count: 1)
            case .succeeded: (outputs + index).deinitialize(count: 1)
            case .failed, .released: break
            }
        }
        states = []
        failures = [:]
    }
}
