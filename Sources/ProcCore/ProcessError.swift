import SystemPackage

/// The one error ProcCore throws: what was attempted, why it failed and, for a failed
/// system call, the errno it returned.
public struct ProcessError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of failure this is. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        // MARK: Any operation
        /// A system call failed; `errno` tells why.
        public static let systemCall = Code("system call failed")
        /// A process handle, a Connection, a queue or a pool used after `close()` (or a pool
        /// after `terminate()`), or a Connection end used in the direction it cannot go.
        public static let closed = Code("already closed")

        // MARK: Process handles
        /// `start()` on a process that was already started.
        public static let alreadyStarted = Code("process already started")
        /// `join`, `terminate` or `kill` on a process that was never started.
        public static let notStarted = Code("process not started")
        /// `close()` on a process that is still running.
        public static let stillRunning = Code("process still running")
        /// A handle used in a process other than the one that started its child
        /// (for example a parent's handle inside a forked child).
        public static let notOwnChild = Code("not a child of this process")
        /// `start()` refused because the parent runs more than one thread.
        public static let multithreadedParent = Code("parent has more than one thread")

        // MARK: Starting a program, and input
        /// An external program could not be executed; `errno` tells why.
        public static let cannotExecute = Code("cannot execute program")
        /// An argument that no system call would accept, such as an out-of-range port.
        public static let invalidArgument = Code("invalid argument")
        /// An environment variable whose value cannot be used, such as a malformed `LISTEN_FDS`.
        public static let invalidEnvironment = Code("invalid environment variable")

        // MARK: Waits and synchronization
        /// A process died holding a `ProcessLock`: the lock is usable again, but what it
        /// guarded may be half-updated.
        public static let ownerDied = Code("previous lock holder died")
        /// A wait with a timeout (a lock, a semaphore, a barrier, a pool result, a handshake)
        /// ran out of time; what was waited for may still come.
        public static let timedOut = Code("timed out")
        /// A bounded `ProcessSemaphore` released more times than it was acquired.
        public static let semaphoreOverflow = Code("semaphore released too many times")
        /// A `ProcessBarrier` aborted, reset while the process waited, or whose action threw
        /// (Python's `BrokenBarrierError`).
        public static let brokenBarrier = Code("barrier broken")

        // MARK: Messages: Connections and queues
        /// The other end of a Connection is closed (every process that held it closed it or
        /// ended) and no message is left to read.
        public static let endOfStream = Code("end of stream")
        /// A frame that is cut short or whose header is not a frame header: the stream is no
        /// longer in step and the Connection can read no more.
        public static let corruptMessage = Code("corrupt message")
        /// A whole message whose bytes do not decode to the type asked for.
        public static let undecodableMessage = Code("undecodable message")
        /// A value whose `encode(to:)` failed: nothing was sent.
        public static let unencodableValue = Code("unencodable value")
        /// A message longer than the receiver allows, or too large for a queue's buffer.
        public static let messageTooLarge = Code("message too large")
        /// A message longer than the buffer `Connection.receiveBytes(into:at:)` was given
        /// (Python's `BufferTooShort`): the message was received whole and is in the error's
        /// `receivedBytes`.
        public static let bufferTooShort = Code("buffer too short for the message")
        /// A non-blocking or timed `get` found the queue empty.
        public static let empty = Code("queue empty")
        /// A non-blocking or timed `put` found the queue full.
        public static let full = Code("queue full")
        /// `JoinableProcessQueue.taskDone()` called more times than items were put
        /// (Python's `ValueError` from `task_done`).
        public static let taskDoneTooOften = Code("taskDone() called more times than items were put")

        // MARK: Pools
        /// A pool worker ended while it held the task, which will never finish: it crashed,
        /// exited, was killed, or the pool killed it because the task ran past the pool's
        /// task timeout. The error's operation tells which, with the exit code or signal.
        public static let workerLost = Code("worker lost")
        /// A pool task threw; the operation carries the error's description.
        public static let taskFailed = Code("task failed")
        /// A pool task whose handle was cancelled (or whose awaiting caller was): it will
        /// not run, or was stopped.
        public static let taskCancelled = Code("task cancelled")

        // MARK: The fork server
        /// The fork server has ended or cannot be reached.
        public static let forkServerUnavailable = Code("fork server unavailable")
        /// A fork server asked to run an entry point it was not created with.
        public static let unknownEntryPoint = Code("entry point not registered")

        // MARK: Listener and Client
        /// A `Listener` or `Client` handshake failed: the other side does not know the
        /// authkey, or does not speak Python's challenge and answer.
        public static let authenticationFailed = Code("authentication failed")
        /// A `Listener` asked for beyond loopback without an authkey: refused, since anyone
        /// who reaches the port could send it messages (Python only warns).
        public static let authenticationRequired = Code("authkey required beyond loopback")

        /// The code in words, such as "process not started".
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The operation that failed, such as `"fork"` or `"pidfd_open"`, or a program's name.
    public let operation: String
    /// The errno the system returned, when a system call failed.
    public let errno: Errno?
    /// For `.bufferTooShort`, the whole message that did not fit (Python's `e.args[0]`).
    public let receivedBytes: [UInt8]?

    /// Creates an error; `errno` is nil when no system call is involved.
    public init(_ code: Code, operation: String, errno: Errno? = nil) {
        self.code = code
        self.operation = operation
        self.errno = errno
        receivedBytes = nil
    }

    /// A `.bufferTooShort` error carrying the message that did not fit.
    init(bufferTooShortFor message: [UInt8], operation: String) {
        code = .bufferTooShort
        self.operation = operation
        errno = nil
        receivedBytes = message
    }

    /// A failed system call: `operation` returned errno value `rawErrno`.
    public static func systemCall(_ operation: String, _ rawErrno: Int32) -> ProcessError {
        ProcessError(.systemCall, operation: operation, errno: Errno(rawValue: rawErrno))
    }

    /// Why the operation failed, for people: the errno's own text when a system call
    /// failed (`"No such file or directory"`), otherwise the code's words (`"timed out"`).
    public var reason: String {
        errno?.description ?? code.description
    }

    /// One line: `"<operation>: <reason>"`.
    public var description: String {
        "\(operation): \(reason)"
    }
}

/// Throws a `ProcessError` for a shim call that returned a non-zero errno value.
@inline(__always)
func check(_ operation: @autoclosure () -> String, _ result: Int32) throws(ProcessError) {
    if result != 0 { throw .systemCall(operation(), result) }
}
