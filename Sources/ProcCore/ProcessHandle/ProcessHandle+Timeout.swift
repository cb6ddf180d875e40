import SystemPackage

extension ProcessHandle {
    /// Waits for the process to end, as timeout(1) does: once `timeout` has passed, sends
    /// SIGTERM, and SIGKILL if the process still runs `grace` later. Meanwhile the signals
    /// `forwarding` catches are passed on. Returns whether the timeout ran out.
    ///
    /// ```swift
    /// if try child.join(terminatingAfter: .seconds(5)) { print("took too long:", child.exitCode!) }
    /// ```
    ///
    /// With a nil `timeout` it waits for ever, passing signals on.
    @discardableResult
    public func join(
        terminatingAfter timeout: Duration?,
        killingAfter grace: Duration = .seconds(2),
        forwarding: SignalForwarding? = nil
    ) throws(ProcessError) -> Bool {
        let clock = ContinuousClock()
        let terminateAt = timeout.map { clock.now + $0 }
        var killAt: ContinuousClock.Instant?
        var timedOut = false
        // Without one (a child without a pidfd) nothing wakes the poll when the process ends: look again often.
        let ended = try readinessDescriptor
        let recheck: Duration? = ended == nil ? .milliseconds(50) : nil
        while try isAlive {
            let now = clock.now
            if let terminateAt, !timedOut, now >= terminateAt {
                timedOut = true
                try terminate()
                killAt = now + grace
            }
            if let at = killAt, now >= at {
                try kill()
                killAt = nil
            }
            let nextEvent = timedOut ? killAt : terminateAt
            let untilEvent = nextEvent.map { max(.zero, $0 - now) }
            let wait = [recheck, untilEvent].compactMap { $0 }.min()
            _ = try Poll.waitForInput(on: [ended?.rawValue ?? -1, forwarding?.pipe.descriptor.rawValue ?? -1], timeout: wait)
            try forwarding?.passOn(to: self)
        }
        return timedOut
    }
}
