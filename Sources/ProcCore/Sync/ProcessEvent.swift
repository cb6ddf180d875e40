/// A flag shared by this process and the children it forks afterwards, that processes
/// wait for, as Python's `multiprocessing.Event`.
///
/// ```swift
/// let started = try ProcessEvent()
/// // in a child:
/// try started.set()
/// // in the parent:
/// guard try started.wait(timeout: .seconds(5)) else { /* never started */ }
/// ```
public final class ProcessEvent: @unchecked Sendable {
    private let monitor: SharedMonitor<Bool>

    /// A new event, not set.
    public init() throws(ProcessError) {
        monitor = try SharedMonitor(false)
    }

    /// Whether the event is set now.
    public var isSet: Bool {
        get throws(ProcessError) { try monitor.withLock { $0.pointee } }
    }

    /// Sets the event, waking every process waiting for it.
    public func set() throws(ProcessError) {
        try monitor.withLock { (flag) throws(ProcessError) in
            flag.pointee = true
            try monitor.wakeAll()
        }
    }

    /// Clears the event: later waits wait until it is set again.
    public func clear() throws(ProcessError) {
        try monitor.withLock { $0.pointee = false }
    }

    /// Waits until the event is set.
    public func wait() throws(ProcessError) {
        _ = try wait(until: nil)
    }

    /// Waits up to `timeout` until the event is set; returns whether it is (false: timed out).
    public func wait(timeout: Duration) throws(ProcessError) -> Bool {
        try wait(until: Deadline(after: timeout))
    }

    private func wait(until deadline: Deadline?) throws(ProcessError) -> Bool {
        try monitor.withLock(until: deadline) { (flag) throws(ProcessError) in
            while !flag.pointee {
                guard try monitor.wait(until: deadline) else { break }
            }
            return flag.pointee
        } ?? false
    }
}
