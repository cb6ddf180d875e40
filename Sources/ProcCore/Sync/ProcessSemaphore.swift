/// A counting semaphore shared by this process and the children it forks afterwards, as
/// Python's `multiprocessing.Semaphore`, or `BoundedSemaphore` when it has a `maximum`.
///
/// ```swift
/// let slots = try ProcessSemaphore(value: 2, maximum: 2)   // two at a time
/// // in each child:
/// try slots.acquire()
/// defer { try? slots.release() }
/// ```
///
/// A process that dies holding a count does not give it back.
public final class ProcessSemaphore: @unchecked Sendable {
    private struct State {
        var value: Int
        var maximum: Int
    }

    private let monitor: SharedMonitor<State>

    /// A semaphore whose count starts at `value`. With a `maximum`, releasing it beyond
    /// that count is an error (`semaphoreOverflow`) instead of a silent extra count.
    public init(value: Int = 1, maximum: Int? = nil) throws(ProcessError) {
        guard value >= 0, value <= maximum ?? .max else {
            throw ProcessError(.invalidArgument, operation: "ProcessSemaphore(value: \(value), maximum: \(maximum.map(String.init) ?? "nil"))")
        }
        monitor = try SharedMonitor(State(value: value, maximum: maximum ?? .max))
    }

    /// The count now (another process may change it at once), as Python's `get_value()`.
    public var value: Int {
        get throws(ProcessError) { try monitor.withLock { $0.pointee.value } }
    }

    /// Waits until the count is positive and decrements it.
    public func acquire() throws(ProcessError) {
        _ = try acquire(until: nil)
    }

    /// Waits up to `timeout` for a positive count and decrements it; false when it timed
    /// out (a zero timeout only tries).
    public func acquire(timeout: Duration) throws(ProcessError) -> Bool {
        try acquire(until: Deadline(after: timeout))
    }

    /// Decrements the count if it is positive; false when it is zero.
    public func tryAcquire() throws(ProcessError) -> Bool {
        try monitor.withLock { state in
            guard state.pointee.value > 0 else { return false }
            state.pointee.value -= 1
            return true
        }
    }

    /// Increments the count, waking a waiter. Throws `semaphoreOverflow` when the count is
    /// already at its `maximum`.
    public func release() throws(ProcessError) {
        try monitor.withLock { (state) throws(ProcessError) in
            guard state.pointee.value < state.pointee.maximum else {
                throw ProcessError(.semaphoreOverflow, operation: "ProcessSemaphore.release")
            }
            state.pointee.value += 1
            try monitor.wakeAll()
        }
    }

    private func acquire(until deadline: Deadline?) throws(ProcessError) -> Bool {
        try monitor.withLock(until: deadline) { (state) throws(ProcessError) in
            while state.pointee.value == 0 {
                guard try monitor.wait(until: deadline) else { break }
            }
            guard state.pointee.value > 0 else { return false }
            state.pointee.value -= 1
            return true
        } ?? false
    }
}
