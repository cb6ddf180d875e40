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
    var inFlight: [Range<Int>] = []
    /// The task this worker was killed for overrunning the timeout.
    var timedOutTask: Int?
    /// Whether the worker has been told to stop (its connection closed for writing).
    var retiring = false

    init(slot: Int, connection: Connection, process: Process) {
        self.slot = slot
        self.connection = connection
        self.process = process
    }

    /// Readable when the process has ended (a pidfd, or the fork server's status pipe).
    var exitDescriptor: Int32 {
        switch process {
        case .forked(let child): child.processDescriptor ?? -1
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
