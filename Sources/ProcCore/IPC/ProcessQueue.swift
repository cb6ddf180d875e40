import Glibc

/// A first-in first-out queue of `Codable` values shared by this process and every child
/// it forks afterwards, any number of them putting and getting, as Python's
/// `multiprocessing.Queue`, but with no feeder thread and no item ever lost in silence.
///
/// ```swift
/// let queue = try ProcessQueue<String>()
/// let producer = ChildProcess { try queue.put("hello") }
/// try producer.start()
/// print(try queue.get(timeout: .seconds(5)))   // hello
/// ```
///
/// Items live in shared memory (a ring of `bufferSize` bytes, with a process-shared robust
/// lock and two conditions), not in a pipe: `put` encodes the item, then copies it in
/// whole under the lock, so items of several producers never interleave, and once `put`
/// returns the item is in the queue. **A child may put items and exit at once**: what it
/// put stays in the queue for others to get, up to `bufferSize` bytes of items. When the
/// ring (or `maximumCount`) is full, `put` blocks, visibly at the call, until a consumer
/// makes room or its timeout passes (then it throws `.full`); nothing is buffered in the
/// producer behind the caller's back. An item that cannot be encoded fails its own `put`
/// (`.unencodableValue`) and an item larger than the ring fails with `.messageTooLarge`.
///
/// A process killed while it puts or gets leaves the queue consistent (see `QueueControl`):
/// the item it was putting is not in the queue, the one it was getting still is.
public final class ProcessQueue<Element: Codable>: @unchecked Sendable {
    /// Bytes of items the queue holds at most (each item takes its encoded size plus 4).
    public let bufferSize: Int
    /// Items the queue holds at most, nil for as many as fit in `bufferSize`.
    public let maximumCount: Int?

    private static var recordHeaderSize: Int { MemoryLayout<UInt32>.size }
    /// The ring starts on its own cache line after the control block.
    private static var ringOffset: Int { (MemoryLayout<QueueControl>.size + 63) / 64 * 64 }

    private let memory: LockedSharedMemory
    private let notEmpty: ProcessCondition
    private let notFull: ProcessCondition
    private let control: UnsafeMutablePointer<QueueControl>
    private let ring: UnsafeMutableRawPointer
    private var isClosed = false

    /// An empty queue holding at most `maximumCount` items (nil: no limit but the buffer)
    /// and `bufferSize` bytes of items (4 MiB by default; shared memory is only used as it
    /// is written).
    public init(maximumCount: Int? = nil, bufferSize: Int = 4 << 20) throws(ProcessError) {
        guard bufferSize >= 16, bufferSize <= Int(UInt32.max) else {
            throw ProcessError(.invalidArgument, operation: "ProcessQueue buffer of \(bufferSize) bytes")
        }
        if let maximumCount, maximumCount < 1 {
            throw ProcessError(.invalidArgument, operation: "ProcessQueue of at most \(maximumCount) items")
        }
        self.bufferSize = bufferSize
        self.maximumCount = maximumCount
        memory = try LockedSharedMemory(payloadByteCount: Self.ringOffset + bufferSize, alignment: 64)
        control = memory.payload.bindMemory(to: QueueControl.self, capacity: 1)
        let conditions = UnsafeMutableRawPointer(control)
        notEmpty = ProcessCondition(lock: memory.lock, at: conditions + MemoryLayout<QueueControl>.offset(of: \.notEmpty)!, in: memory)
        notFull = ProcessCondition(lock: memory.lock, at: conditions + MemoryLayout<QueueControl>.offset(of: \.notFull)!, in: memory)
        ring = memory.payload + Self.ringOffset
    }

    // MARK: Putting

    /// Puts `value` at the back, waiting while the queue is full, at most `timeout` (nil: for
    /// ever; zero: not at all); throws `.full` when no room came in time.
    public func put(_ value: Element, timeout: Duration? = nil) throws(ProcessError) {
        try checkOpen("put")
        let bytes = try BinaryEncoder().encode(value)
        let needed = Self.recordHeaderSize + bytes.count
        guard needed <= bufferSize else {
            throw ProcessError(.messageTooLarge, operation: "put: an item of \(bytes.count) bytes in a queue of \(bufferSize)")
        }
        try withLock { () throws(ProcessError) in
            let deadline = try timeout.map { (timeout) throws(ProcessError) in try Deadline(after: timeout) }
            while !hasRoom(for: needed) {
                guard timeout != .zero else { throw ProcessError(.full, operation: "put") }
                control.pointee.waitingPutters += 1
                let woken = try notFull.wait(until: deadline, reportingOwnerDeath: false)
                control.pointee.waitingPutters -= 1
                if !woken && !hasRoom(for: needed) { throw ProcessError(.full, operation: "put") }
            }
            var length = UInt32(bytes.count)
            let tail = control.pointee.tail
            withUnsafeBytes(of: &length) { copyIn($0, at: tail) }
            bytes.withUnsafeBytes { copyIn($0, at: tail + Self.recordHeaderSize) }
            // The commit: only now can a getter see the item.
            control.pointee.tail = tail + needed
            control.pointee.count += 1
            if control.pointee.waitingGetters > 0 { try notEmpty.broadcast() }
        }
    }

    /// Puts `value` if there is room now; throws `.full` otherwise (Python's `put_nowait`).
    public func putWithoutWaiting(_ value: Element) throws(ProcessError) {
        try put(value, timeout: .zero)
    }

    // MARK: Getting

    /// Takes the item at the front, waiting while the queue is empty, at most `timeout` (nil:
    /// for ever; zero: not at all); throws `.empty` when none came in time. An item whose
    /// bytes do not decode as `Element` (put by a process with another idea of the type) is
    /// removed and reported as `.undecodableMessage`.
    public func get(timeout: Duration? = nil) throws(ProcessError) -> Element {
        try checkOpen("get")
        let bytes = try withLock { () throws(ProcessError) -> [UInt8] in
            let deadline = try timeout.map { (timeout) throws(ProcessError) in try Deadline(after: timeout) }
            while control.pointee.count == 0 {
                guard timeout != .zero else { throw ProcessError(.empty, operation: "get") }
                control.pointee.waitingGetters += 1
                let woken = try notEmpty.wait(until: deadline, reportingOwnerDeath: false)
                control.pointee.waitingGetters -= 1
                if !woken && control.pointee.count == 0 { throw ProcessError(.empty, operation: "get") }
            }
            let head = control.pointee.head
            var length: UInt32 = 0
            withUnsafeMutableBytes(of: &length) { copyOut(into: $0, from: head) }
            let count = Int(length)
            // The ring is written by other processes: a length beyond what is in use means
            // one of them wrote over it, and nothing after it can be trusted.
            guard count <= control.pointee.tail - head - Self.recordHeaderSize else {
                throw ProcessError(.corruptMessage, operation: "get: an item of \(count) bytes in a queue holding \(control.pointee.tail - head)")
            }
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                copyOut(into: UnsafeMutableRawBufferPointer(buffer), from: head + Self.recordHeaderSize)
                initialized = count
            }
            control.pointee.head = head + Self.recordHeaderSize + count
            control.pointee.count -= 1
            if control.pointee.waitingPutters > 0 { try notFull.broadcast() }
            return bytes
        }
        return try BinaryDecoder().decode(Element.self, from: bytes)
    }

    /// Takes the front item if there is one now; throws `.empty` otherwise (Python's `get_nowait`).
    public func getWithoutWaiting() throws(ProcessError) -> Element {
        try get(timeout: .zero)
    }

    // MARK: State

    /// How many items are in the queue now (others may change it at once).
    public var count: Int {
        get throws(ProcessError) { try withLock { () throws(ProcessError) in control.pointee.count } }
    }

    /// Whether the queue is empty now (others may change it at once).
    public var isEmpty: Bool {
        get throws(ProcessError) { try count == 0 }
    }

    /// Ends this process's use of the queue: further `put` and `get` here throw
    /// `.closed`. Items already put stay for the other processes.
    public func close() {
        isClosed = true
    }

    // MARK: Inside

    private func checkOpen(_ operation: String) throws(ProcessError) {
        if isClosed { throw ProcessError(.closed, operation: operation) }
    }

    /// Runs `body` holding the queue's lock. A previous holder's death is not an error
    /// here: the commit order (see `QueueControl`) leaves the queue consistent whatever
    /// point it died at.
    private func withLock<R>(_ body: () throws(ProcessError) -> R) throws(ProcessError) -> R {
        _ = try memory.lock.lock()
        defer { _ = try? memory.lock.unlock() }
        return try body()
    }

    private func hasRoom(for needed: Int) -> Bool {
        let used = control.pointee.tail - control.pointee.head
        if let maximumCount, control.pointee.count >= maximumCount { return false }
        return bufferSize - used >= needed
    }

    /// Copies `bytes` into the ring at byte position `position`, wrapping at its end.
    private func copyIn(_ bytes: UnsafeRawBufferPointer, at position: Int) {
        guard let source = bytes.baseAddress else { return }
        let start = position % bufferSize
        let first = min(bytes.count, bufferSize - start)
        (ring + start).copyMemory(from: source, byteCount: first)
        if first < bytes.count { ring.copyMemory(from: source + first, byteCount: bytes.count - first) }
    }

    /// Copies `buffer.count` bytes out of the ring from byte position `position`.
    private func copyOut(into buffer: UnsafeMutableRawBufferPointer, from position: Int) {
        guard let destination = buffer.baseAddress else { return }
        let start = position % bufferSize
        let first = min(buffer.count, bufferSize - start)
        destination.copyMemory(from: ring + start, byteCount: first)
        if first < buffer.count { (destination + first).copyMemory(from: ring, byteCount: buffer.count - first) }
    }
}
