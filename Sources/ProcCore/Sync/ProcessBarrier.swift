/// A meeting point for a fixed number of processes, as Python's `multiprocessing.Barrier`:
/// each `wait` blocks until `parties` processes are waiting, then all go on together.
///
/// ```swift
/// let barrier = try ProcessBarrier(parties: 4, timeout: .seconds(30)) { print("all here") }
/// // in each of the 4 processes:
/// try barrier.wait()
/// ```
///
/// The barrier is reusable: once all have passed, the next `parties` waits meet again.
/// The `action`, when there is one, runs once per meeting, before any party goes on, **in
/// whichever process arrives last** (its copy of the closure, as the fork left it), holding
/// the barrier's lock: it must not use the barrier. When it throws, the barrier breaks.
///
/// A broken barrier (`abort()`, an action that threw) fails every wait, those waiting and
/// those to come, with `ProcessError.Code.brokenBarrier` until `reset()`; `reset()` fails
/// those waiting then the same way, and the barrier is new again. A wait that times out
/// leaves the barrier (the others keep waiting for a full count) and throws `.timedOut`,
/// instead of breaking it for everyone as Python's does: a process that was late once may
/// still meet the others.
public final class ProcessBarrier: @unchecked Sendable {
    private struct State {
        var arrived: Int
        /// Counts the times the barrier has opened: a waiter goes on when it changes.
        var generation: Int
        var isBroken: Bool
        /// Counts the resets that failed waiters: a waiter fails when it changes.
        var resets: Int
    }

    /// How many processes must wait for the barrier to open.
    public let parties: Int
    /// How long `wait()` waits for the others (nil: for ever), Python's `timeout`.
    public let timeout: Duration?
    private let action: (() throws -> Void)?
    private let monitor: SharedMonitor<State>

    /// A barrier for `parties` processes (at least 1), whose `wait()` waits at most
    /// `timeout` (nil: for ever), running `action` in the last process to arrive.
    public init(parties: Int, timeout: Duration? = nil, action: (() throws -> Void)? = nil) throws(ProcessError) {
        guard parties >= 1 else {
            throw ProcessError(.invalidArgument, operation: "ProcessBarrier(parties: \(parties))")
        }
        self.parties = parties
        self.timeout = timeout
        self.action = action
        monitor = try SharedMonitor(State(arrived: 0, generation: 0, isBroken: false, resets: 0))
    }

    /// How many processes wait at the barrier now (Python's `n_waiting`).
    public var waitingCount: Int {
        get throws(ProcessError) { try monitor.withLock { $0.pointee.isBroken ? 0 : $0.pointee.arrived } }
    }

    /// Whether the barrier is broken (Python's `broken`): every wait fails until `reset()`.
    public var isBroken: Bool {
        get throws(ProcessError) { try monitor.withLock { $0.pointee.isBroken } }
    }

    /// Waits until `parties` processes wait, at most the barrier's `timeout`. Returns this
    /// process's place in the arrival order, 0 to `parties - 1` (the last to arrive gets
    /// `parties - 1`), as Python does.
    @discardableResult
    public func wait() throws(ProcessError) -> Int {
        try wait(until: timeout.map { (timeout) throws(ProcessError) in try Deadline(after: timeout) })
    }

    /// Waits at most `timeout` for the others; throws `timedOut` when they did not all come,
    /// and this process is then no longer counted as waiting.
    @discardableResult
    public func wait(timeout: Duration) throws(ProcessError) -> Int {
        try wait(until: Deadline(after: timeout))
    }

    /// Breaks the barrier: every process waiting, and every later wait, fails with
    /// `.brokenBarrier` until `reset()`.
    public func abort() throws(ProcessError) {
        try monitor.withLock { (state) throws(ProcessError) in
            state.pointee.isBroken = true
            state.pointee.arrived = 0
            try monitor.wakeAll()
        }
    }

    /// Makes the barrier new again: the processes waiting now fail with `.brokenBarrier`;
    /// the next `parties` waits meet.
    public func reset() throws(ProcessError) {
        try monitor.withLock { (state) throws(ProcessError) in
            if state.pointee.arrived > 0 { state.pointee.resets &+= 1 }
            state.pointee.arrived = 0
            state.pointee.isBroken = false
            try monitor.wakeAll()
        }
    }

    private func wait(until deadline: Deadline?) throws(ProcessError) -> Int {
        let place = try monitor.withLock(until: deadline) { (state) throws(ProcessError) in
            guard !state.pointee.isBroken else { throw Self.broken("wait") }
            let place = state.pointee.arrived
            if place + 1 == parties {
                try trip(state)
                return place
            }
            let generation = state.pointee.generation
            let resets = state.pointee.resets
            state.pointee.arrived += 1
            while state.pointee.generation == generation {
                guard !state.pointee.isBroken, state.pointee.resets == resets else { throw Self.broken("wait") }
                // Timed out, unless the barrier opened (or broke) just as the time ran out.
                if try !monitor.wait(until: deadline), state.pointee.generation == generation,
                   !state.pointee.isBroken, state.pointee.resets == resets {
                    state.pointee.arrived -= 1
                    throw ProcessError(.timedOut, operation: "ProcessBarrier.wait")
                }
            }
            return place
        }
        guard let place else { throw ProcessError(.timedOut, operation: "ProcessBarrier.wait") }
        return place
    }

    /// The last party has come: runs the action, then lets everyone go (or breaks the
    /// barrier when the action threw).
    private func trip(_ state: UnsafeMutablePointer<State>) throws(ProcessError) {
        if let action {
            do {
                try action()
            } catch {
                state.pointee.isBroken = true
                state.pointee.arrived = 0
                try monitor.wakeAll()
                throw Self.broken("ProcessBarrier action: \(error)")
            }
        }
        state.pointee.arrived = 0
        state.pointee.generation &+= 1
        try monitor.wakeAll()
    }

    private static func broken(_ operation: String) -> ProcessError {
        ProcessError(.brokenBarrier, operation: operation)
    }
}
