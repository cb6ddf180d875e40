/// A meeting point for a fixed number of processes, as Python's `multiprocessing.Barrier`:
/// each `wait` blocks until `parties` processes are waiting, then all go on together.
///
/// ```swift
/// let barrier = try ProcessBarrier(parties: 4)
/// // in each of the 4 processes:
/// try barrier.wait()
/// ```
///
/// The barrier is reusable: once all have passed, the next `parties` waits meet again.
/// A wait that times out leaves the barrier (the others keep waiting for a full count)
/// instead of breaking it for everyone as Python's does.
public final class ProcessBarrier: @unchecked Sendable {
    private struct State {
        var arrived: Int
        /// Counts the times the barrier has opened: a waiter goes on when it changes.
        var generation: Int
    }

    /// How many processes must wait for the barrier to open.
    public let parties: Int
    private let monitor: SharedMonitor<State>

    /// A barrier for `parties` processes (at least 1).
    public init(parties: Int) throws(ProcessError) {
        guard parties >= 1 else {
            throw ProcessError(.invalidArgument, operation: "ProcessBarrier(parties: \(parties))")
        }
        self.parties = parties
        monitor = try SharedMonitor(State(arrived: 0, generation: 0))
    }

    /// Waits until `parties` processes wait. Returns this process's place in the arrival
    /// order, 0 to `parties - 1` (the last to arrive gets `parties - 1`), as Python does.
    @discardableResult
    public func wait() throws(ProcessError) -> Int {
        try wait(until: nil)
    }

    /// Waits at most `timeout` for the others; throws `timedOut` when they did not all come,
    /// and this process is then no longer counted as waiting.
    @discardableResult
    public func wait(timeout: Duration) throws(ProcessError) -> Int {
        try wait(until: Deadline(after: timeout))
    }

    private func wait(until deadline: Deadline?) throws(ProcessError) -> Int {
        let place = try monitor.withLock(until: deadline) { (state) throws(ProcessError) in
            let place = state.pointee.arrived
            let generation = state.pointee.generation
            if place + 1 == parties {
                state.pointee.arrived = 0
                state.pointee.generation &+= 1
                try monitor.wakeAll()
                return place
            }
            state.pointee.arrived += 1
            while state.pointee.generation == generation {
                // Timed out, unless the barrier opened just as the time ran out.
                if try !monitor.wait(until: deadline), state.pointee.generation == generation {
                    state.pointee.arrived -= 1
                    throw ProcessError(.timedOut, operation: "ProcessBarrier.wait")
                }
            }
            return place
        }
        guard let place else { throw ProcessError(.timedOut, operation: "ProcessBarrier.wait") }
        return place
    }
}
