import SystemPackage

/// What `waitForReady` can wait on: a `Connection` (a message or end-of-stream to read),
/// a process handle, `ChildProcess` or `ForkServer.Child` (it has ended), or a
/// `FileDescriptor` (readable).
public protocol Waitable {
    /// The descriptor that becomes readable when this is ready; nil when there is none to
    /// poll (a child already reaped, or a kernel without pidfds).
    var readinessDescriptor: FileDescriptor? { get throws(ProcessError) }
    /// Whether this is ready now whatever its descriptor says: a message already read
    /// ahead, or a child without a descriptor that has ended.
    var isReady: Bool { get }
}

extension Connection: Waitable {
    /// The end's descriptor; `.closed` after `close()`.
    public var readinessDescriptor: FileDescriptor? {
        get throws(ProcessError) {
            if isClosed { throw ProcessError(.closed, operation: "wait") }
            return descriptor
        }
    }

    /// Whether bytes of a message were read ahead and wait in this process.
    public var isReady: Bool { hasBufferedBytes }
}

extension ChildProcess: Waitable {
    /// The running child's pidfd; `.notStarted` before `start()`.
    public var readinessDescriptor: FileDescriptor? {
        get throws(ProcessError) {
            if pid == nil { throw ProcessError(.notStarted, operation: "wait") }
            return processDescriptor
        }
    }

    /// Whether a child without a pidfd has ended (reading it reaps a child that has). With
    /// a pidfd, the descriptor tells: reaping here would close it under the poll.
    public var isReady: Bool { processDescriptor == nil && exitCode != nil }
}

extension FileDescriptor: Waitable {
    /// The descriptor itself.
    public var readinessDescriptor: FileDescriptor? { self }

    /// Readiness of a descriptor comes from poll(2) alone.
    public var isReady: Bool { false }
}
