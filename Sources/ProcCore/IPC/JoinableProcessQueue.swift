/// A `ProcessQueue` that counts the items not yet processed, as Python's
/// `multiprocessing.JoinableQueue`: each `put` adds one, each `taskDone()` (called by a
/// consumer once it has processed an item it got) takes one away, and `join()` waits until
/// the count is back to zero.
///
/// ```swift
/// let queue = try JoinableProcessQueue<Int>()
/// // consumers: while true { let item = try queue.get(); process(item); try queue.taskDone() }
/// for item in 0..<10 { try queue.put(item) }
/// try queue.join()     // every item put has been processed
/// ```
///
/// The count lives in shared memory of its own, beside the queue's: a `put` counts its item
/// before the item can be got (so a fast consumer's `taskDone()` always finds it counted)
/// and uncounts it when the put fails. A process killed inside `put`, between the two, leaves
/// an item counted that is never done: `join(timeout:)` bounds the wait for such a count.
public final class JoinableProcessQueue<Element: Codable>: @unchecked Sendable {
    /// The queue the items go through.
    private let queue: ProcessQueue<Element>
    /// Items put and not yet marked done.
    private let unfinished: SharedMonitor<Int>

    /// An empty queue, with `ProcessQueue`'s limits.
    public init(maximumCount: Int? = nil, bufferSize: Int = 4 << 20) throws(ProcessError) {
        queue = try ProcessQueue(maximumCount: maximumCount, bufferSize: bufferSize)
        unfinished = try SharedMonitor(0)
    }

    /// Bytes of items the queue holds at most.
    public var bufferSize: Int { queue.bufferSize }
    /// Items the queue holds at most, nil for as many as fit in `bufferSize`.
    public var maximumCount: Int? { queue.maximumCount }

    /// Puts `value` at the back and counts it as unfinished, as `ProcessQueue.put`.
    public func put(_ value: Element, timeout: Duration? = nil) throws(ProcessError) {
        try unfinished.withLock { $0.pointee += 1 }
        do {
            try queue.put(value, timeout: timeout)
        } catch {
            try markDone(operation: "put")
            throw error
        }
    }

    /// Puts `value` if there is room now; throws `.full` otherwise (Python's `put_nowait`).
    public func putWithoutWaiting(_ value: Element) throws(ProcessError) {
        try put(value, timeout: .zero)
    }

    /// Takes the item at the front, as `ProcessQueue.get`. It stays unfinished until
    /// `taskDone()`.
    public func get(timeout: Duration? = nil) throws(ProcessError) -> Element {
        try queue.get(timeout: timeout)
    }

    /// Takes the front item if there is one now; throws `.empty` otherwise (Python's `get_nowait`).
    public func getWithoutWaiting() throws(ProcessError) -> Element {
        try queue.get(timeout: .zero)
    }

    /// Marks one item got from the queue as processed (Python's `task_done`); the last
    /// wakes every `join()`. Throws `.taskDoneTooOften` when no item is unfinished.
    public func taskDone() throws(ProcessError) {
        try markDone(operation: "taskDone")
    }

    /// Waits until every item put has been marked done.
    public func join() throws(ProcessError) {
        _ = try join(until: nil)
    }

    /// Waits at most `timeout` until every item put has been marked done; returns whether
    /// they all were (false: timed out).
    public func join(timeout: Duration) throws(ProcessError) -> Bool {
        try join(until: Deadline(after: timeout))
    }

    /// How many items are unfinished now: put and not yet marked done (others may change it at once).
    public var unfinishedCount: Int {
        get throws(ProcessError) { try unfinished.withLock { $0.pointee } }
    }

    /// How many items are in the queue now (others may change it at once).
    public var count: Int {
        get throws(ProcessError) { try queue.count }
    }

    /// Ends this process's use of the queue, as `ProcessQueue.close()`.
    public func close() {
        queue.close()
    }

    private func markDone(operation: String) throws(ProcessError) {
        try unfinished.withLock { (count) throws(ProcessError) in
            guard count.pointee > 0 else { throw ProcessError(.taskDoneTooOften, operation: operation) }
            count.pointee -= 1
            if count.pointee == 0 { try unfinished.wakeAll() }
        }
    }

    private func join(until deadline: Deadline?) throws(ProcessError) -> Bool {
        try unfinished.withLock(until: deadline) { (count) throws(ProcessError) in
            while count.pointee > 0 {
                guard try unfinished.wait(until: deadline) else { break }
            }
            return count.pointee == 0
        } ?? false
    }
}
