extension ChildProcess {
    /// Waits, without blocking a thread, until the child ends, and reaps it.
    ///
    /// Cancelling the awaiting task ends the child as swift-subprocess's teardown does:
    /// SIGTERM, then SIGKILL if it still runs after `cancellationGrace`; the child is reaped
    /// and `CancellationError` is thrown, with `exitCode` telling how the child ended.
    ///
    /// The wait happens on ProcCore's watcher thread (epoll over pidfds), which makes
    /// this process multithreaded, as Swift concurrency's threads already have: children
    /// forked after that get the thread policy's warning. A program that awaits children
    /// should start them through a `ForkServer`. Where the kernel has no pidfd, this
    /// blocks its thread in the synchronous `join()`.
    nonisolated(nonsending)
    public func join(cancellationGrace: Duration) async throws {
        if let pidfd = rawProcessDescriptor {
            let outcome = try await DescriptorWatcher.shared.waitUntilReadable(
                pidfd, onCancel: .terminate(pidfd: pidfd, grace: cancellationGrace))
            try reapEnded()
            if outcome == .cancelled { throw CancellationError() }
        } else {
            try reapEnded()
        }
    }

    /// `join(cancellationGrace:)` with a grace of one second between SIGTERM and SIGKILL.
    nonisolated(nonsending)
    public func join() async throws {
        try await join(cancellationGrace: .seconds(1))
    }

    /// The synchronous `join()`: in an async function the name resolves to the async one.
    private func reapEnded() throws(ProcessError) {
        try join()
    }
}
