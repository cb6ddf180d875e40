import SystemPackage

/// What `waitForReady` can wait on: a `Connection` (a message or end-of-stream to read),
/// a `ChildProcess` (it has ended) or a `FileDescriptor` (readable).
public protocol Waitable {
    /// The descriptor that becomes readable when this is ready; nil when there is none to
    /// poll (a child already reaped, or a kernel without pidfds), and `isReady` is asked instead.
    var readinessDescriptor: Int32? { get throws(ProcessError) }
    /// Whether this is ready now, for one without a readiness descriptor.
    var isReady: Bool { get }
}

extension Connection: Waitable {
    /// The end's descriptor; `.alreadyClosed` after `close()`.
    public var readinessDescriptor: Int32? {
        get throws(ProcessError) {
            if isClosed { throw ProcessError(.alreadyClosed, operation: "wait") }
            return descriptor
        }
    }

    /// Readiness of a Connection comes from its descriptor alone.
    public var isReady: Bool { false }
}

extension ChildProcess: Waitable {
    /// The running child's pidfd; `.notStarted` before `start()`.
    public var readinessDescriptor: Int32? {
        get throws(ProcessError) {
            if pid == nil { throw ProcessError(.notStarted, operation: "wait") }
            return processDescriptor
        }
    }

    /// Whether the child has ended (reading it reaps a child that has).
    public var isReady: Bool { exitCode != nil }
}

extension FileDescriptor: Waitable {
    /// The descriptor itself.
    public var readinessDescriptor: Int32? { rawValue }

    /// Readiness of a descriptor comes from poll(2) alone.
    public var isReady: Bool { false }
}
