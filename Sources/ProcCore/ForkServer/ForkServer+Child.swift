import CProcShim
import SystemPackage

import Glibc

extension ForkServer {
    /// A child forked by a `ForkServer`, with `ProcessHandle`'s meanings, as a
    /// `ChildProcess` has. Signals go through the child's pidfd; the exit code comes from
    /// the server, which reaps the child (so dropping the handle leaves no zombie). Used
    /// from one thread at a time.
    public final class Child: ProcessHandle {
        /// The entry point's name.
        public let name: String
        /// The child's pid.
        public let pid: pid_t
        private let pidfd: Int32
        /// Readable when the server has written the exit code (or has ended).
        let statusDescriptor: Int32
        private var code: Int32?
        private var serverLost = false

        init(name: String, pid: pid_t, pidfd: Int32, statusFD: Int32) {
            self.name = name
            self.pid = pid
            self.pidfd = pidfd
            self.statusDescriptor = statusFD
        }

        deinit {
            _ = pc_close(pidfd)
            _ = pc_close(statusDescriptor)
        }

        /// Python's `exitcode`: nil while the child runs, then its exit code, or -N when
        /// signal N ended it.
        public var exitCode: Int32? {
            _ = try? join(timeout: .zero)
            return code
        }

        /// Blocks until the child has ended and the server has reaped it.
        public func join() throws(ProcessError) {
            _ = try join(waitingMilliseconds: -1)
        }

        /// Waits up to `timeout` for the child to end. Returns true when it has.
        @discardableResult
        public func join(timeout: Duration) throws(ProcessError) -> Bool {
            try join(waitingMilliseconds: timeout.roundedUpMilliseconds)
        }

        /// Sends `signal` to the child through its pidfd. Does nothing once it has ended.
        public func send(signal: Signal) throws(ProcessError) {
            guard code == nil else { return }
            let result = pc_pidfd_send_signal(pidfd, signal.rawValue)
            if result != 0 && result != ESRCH { throw .systemCall("pidfd_send_signal", result) }
        }

        /// Waits, without blocking a thread, until the child has ended. Cancelling the
        /// awaiting task ends the child as `ChildProcess`'s async join does (SIGTERM, then
        /// SIGKILL after `cancellationGrace`) and throws `CancellationError`.
        nonisolated(nonsending)
        public func join(cancellationGrace: Duration = .seconds(1)) async throws {
            guard code == nil else { return }
            let outcome = try await DescriptorWatcher.shared.waitUntilReadable(
                statusDescriptor, onCancel: .terminate(pidfd: pidfd, grace: cancellationGrace))
            _ = try join(waitingMilliseconds: -1)
            if outcome == .cancelled { throw CancellationError() }
        }

        /// The pipe on which the server writes the exit code: readable once the child has
        /// ended (or the server has).
        public var readinessDescriptor: FileDescriptor? { FileDescriptor(rawValue: statusDescriptor) }

        /// Whether the exit code has already been read (the pipe then has nothing more to say).
        public var isReady: Bool { code != nil || serverLost }

        private func join(waitingMilliseconds timeout: Int32) throws(ProcessError) -> Bool {
            if code != nil { return true }
            if serverLost { throw ProcessError(.forkServerUnavailable, operation: "join") }
            if timeout >= 0 {
                var revents: Int16 = 0
                try check("poll", pc_poll_one(statusDescriptor, Int16(POLLIN), timeout, &revents))
                if revents == 0 { return false }
            }
            var value: Int32 = 0
            var count = 0
            try check("read", withUnsafeMutableBytes(of: &value) {
                pc_read_full(statusDescriptor, $0.baseAddress, $0.count, &count)
            })
            guard count == MemoryLayout<Int32>.size else {
                serverLost = true
                throw ProcessError(.forkServerUnavailable, operation: "join")
            }
            code = value
            return true
        }
    }
}
