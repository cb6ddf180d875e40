import CProcShim

/// The parent's view of one pool worker: its connection, its process, and the chunks
/// it was sent and has not answered, oldest first (it runs them in that order).
final class PoolWorker {
    enum Process {
        case forked(ChildProcess)
        case served(ForkServer.Child)
    }

    let slot: Int
    let connection: Connection
    let process: Process
    /// The chunks sent and not yet answered, as ranges of task indices.
    private(set) var inFlight: [Range<Int>] = []
    /// The size of each chunk's message in `inFlight`, and their sum: what the worker may
    /// not have read yet (see `ProcessPool.unreadBytesPerWorker`).
    private var inFlightSizes: [Int] = []
    private(set) var inFlightBytes = 0
    /// When the worker last answered a chunk, or was sent one while it had none.
    private var lastProgress: Int64 = 0
    /// How long its last chunk took, as seen from the parent.
    private(set) var lastChunkNanoseconds: Int64 = 0
    /// The task this worker was killed for overrunning the timeout.
    var timedOutTask: Int?
    /// Whether the worker has been told to stop (its connection closed for writing).
    var retiring = false
    /// Whether the worker was killed because the work it held was cancelled (its death
    /// says nothing about its initializer).
    var killedForCancellation = false

    init(slot: Int, connection: Connection, process: Process) {
        self.slot = slot
        self.connection = connection
        self.process = process
    }

    /// Records that the chunk `range`, a message of `bytes` bytes, is going to the worker.
    func sent(_ range: Range<Int>, bytes: Int) {
        if inFlight.isEmpty { lastProgress = pc_monotonic_ns() }
        inFlight.append(range)
        inFlightSizes.append(bytes)
        inFlightBytes += bytes
    }

    /// The oldest chunk has been answered.
    func answered() {
        let now = pc_monotonic_ns()
        lastChunkNanoseconds = now - lastProgress
        lastProgress = now
        inFlight.removeFirst()
        inFlightBytes -= inFlightSizes.removeFirst()
    }

    /// Forgets the chunks from `index` on (they were not sent after all, or the worker is
    /// gone); returns them.
    func unsend(from index: Int = 0) -> [Range<Int>] {
        let ranges = Array(inFlight[index...])
        inFlight.removeSubrange(index...)
        inFlightBytes -= inFlightSizes[index...].reduce(0, +)
        inFlightSizes.removeSubrange(index...)
        return ranges
    }

    /// Readable when the process has ended (a pidfd, or the fork server's status pipe).
    var exitDescriptor: Int32 {
        switch process {
        case .forked(let child): child.rawProcessDescriptor ?? -1
        case .served(let child): child.statusDescriptor
        }
    }

    var pid: Int32 {
        switch process {
        case .forked(let child): child.pid ?? 0
        case .served(let child): child.pid
        }
    }

    func kill() {
        switch process {
        case .forked(let child): try? child.kill()
        case .served(let child): try? child.kill()
        }
    }

    func terminate() {
        switch process {
        case .forked(let child): try? child.terminate()
        case .served(let child): try? child.terminate()
        }
    }

    /// Waits up to `timeout` for the process to end (reaping it); its exit code, or nil.
    func join(timeout: Duration) -> Int32? {
        switch process {
        case .forked(let child): _ = try? child.join(timeout: timeout); return child.exitCode
        case .served(let child): _ = try? child.join(timeout: timeout); return child.exitCode
        }
    }

    /// Ends the process for sure: waits `grace` for it, then SIGKILL. Its exit code.
    func end(grace: Duration) -> Int32? {
        if let code = join(timeout: grace) { return code }
        kill()
        return join(timeout: .seconds(30))
    }
}
