/// Signals this process catches from the moment it is created, to pass on to a process it
/// waits for with `join(terminatingAfter:killingAfter:forwarding:)`, as timeout(1) and
/// shells do: a supervisor asked to stop asks its child to stop.
///
/// ```swift
/// // Before start(), so that no signal meant for the child is missed:
/// let forwarding = try SignalForwarding([.terminate, .terminalClosed], absorbing: [.interrupt, .quit])
/// try child.start()
/// let timedOut = try child.join(terminatingAfter: .seconds(5), forwarding: forwarding)
/// ```
///
/// The signals stay caught for the life of this process (a C handler writes each to a
/// pipe, so no Swift code runs in a signal handler); children forked afterwards get the
/// default dispositions back.
public struct SignalForwarding: Sendable {
    /// The signals passed on to the process waited for.
    public let forwarded: Set<Signal>
    let pipe: SignalPipe

    /// Catches `forwarded`, to pass on, and `absorbed`, only so that they do not end this
    /// process: SIGINT and SIGQUIT from a terminal, which sends them to the child too.
    public init(_ forwarded: Set<Signal>, absorbing absorbed: Set<Signal> = []) throws(ProcessError) {
        self.forwarded = forwarded
        pipe = try SignalPipe.install(catching: forwarded.union(absorbed).map(\.rawValue))
    }

    /// Sends `handle` the forwarded signals caught since the last call; drops the others.
    func passOn(to handle: some ProcessHandle) throws(ProcessError) {
        for signal in pipe.drain().map(Signal.init(rawValue:)) where forwarded.contains(signal) {
            try handle.send(signal: signal)
        }
    }
}
