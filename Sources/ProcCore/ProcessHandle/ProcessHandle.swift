import Glibc

/// A process this program started and may wait for and signal: a `ChildProcess`, or a
/// `ForkServer.Child` (forked by a fork server). The meanings are Python's `Process`
/// ones, whichever started the process; `waitForReady` waits on either.
///
/// A handle is used from one thread at a time.
public protocol ProcessHandle: AnyObject, Waitable {
    /// Python's `exitcode`: nil while the process runs (or before it starts), then its
    /// exit code, or -N when signal N ended it.
    var exitCode: Int32? { get }

    /// Whether the process has started and not yet ended.
    var isAlive: Bool { get throws(ProcessError) }

    /// Blocks until the process has ended. Joining an ended process returns at once.
    func join() throws(ProcessError)

    /// Waits up to `timeout` for the process to end. Returns true when it has.
    @discardableResult
    func join(timeout: Duration) throws(ProcessError) -> Bool

    /// Waits, without blocking a thread, until the process has ended. Cancelling the
    /// awaiting task ends the process (SIGTERM, then SIGKILL after `cancellationGrace`)
    /// and throws `CancellationError`.
    nonisolated(nonsending)
    func join(cancellationGrace: Duration) async throws

    /// Sends `signal` to the process through its pidfd (a reused pid is never signalled).
    /// Does nothing once the process has ended.
    func send(signal: Signal) throws(ProcessError)

    /// Sends SIGTERM (Python's `terminate()`). Does nothing once the process has ended.
    func terminate() throws(ProcessError)

    /// Sends SIGKILL (Python's `kill()`). Does nothing once the process has ended.
    func kill() throws(ProcessError)
}

extension ProcessHandle {
    /// Whether the process has not yet ended: a join that does not wait.
    public var isAlive: Bool {
        get throws(ProcessError) { try !join(timeout: .zero) }
    }

    /// Sends SIGTERM. Does nothing once the process has ended.
    public func terminate() throws(ProcessError) { try send(signal: .terminate) }

    /// Sends SIGKILL. Does nothing once the process has ended.
    public func kill() throws(ProcessError) { try send(signal: .kill) }
}

extension ChildProcess: ProcessHandle {}
