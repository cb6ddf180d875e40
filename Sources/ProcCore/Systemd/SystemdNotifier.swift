import CProcShim

import Glibc

/// Tells the service manager how a service is doing, as `sd_notify(3)` does, without
/// linking libsystemd: each state is one datagram to the socket named by `NOTIFY_SOCKET`
/// (a path, or `@name` in the abstract namespace).
///
/// ```swift
/// if let notifier = SystemdNotifier.fromEnvironment() {
///     try notifier.notify(.ready, .status("serving on 127.0.0.1:8080"))
/// }
/// ```
public struct SystemdNotifier: Sendable {
    /// One `KEY=value` line of a notification.
    public struct State: Sendable, Hashable, CustomStringConvertible {
        /// The line, such as `READY=1`.
        public let description: String

        /// A line of your own, `key=value`.
        public init(key: String, value: String) {
            description = "\(key)=\(value)"
        }

        /// The service is ready: startup is over.
        public static let ready = State(key: "READY", value: "1")
        /// The service reloads its configuration; `ready` follows when it is done.
        public static let reloading = State(key: "RELOADING", value: "1")
        /// The service is shutting down.
        public static let stopping = State(key: "STOPPING", value: "1")
        /// Keeps the watchdog from firing.
        public static let watchdog = State(key: "WATCHDOG", value: "1")
        /// A line a person reads in `systemctl status`.
        public static func status(_ text: String) -> State {
            State(key: "STATUS", value: text.replacing("\n", with: " "))
        }
        /// The service's main process, after a new one took over.
        public static func mainPID(_ pid: pid_t) -> State {
            State(key: "MAINPID", value: String(pid))
        }
        /// The monotonic clock, which systemd wants beside `reloading`.
        public static func monotonicNow() -> State {
            State(key: "MONOTONIC_USEC", value: String(pc_monotonic_ns() / 1000))
        }
    }

    /// The socket's path as `NOTIFY_SOCKET` gave it.
    public let socketPath: String
    /// How often systemd expects `watchdog` at the latest (`WATCHDOG_USEC`), when this
    /// process is the one watched (`WATCHDOG_PID`, when set, names it).
    public let watchdogInterval: Duration?

    /// A notifier for `socketPath`.
    public init(socketPath: String, watchdogInterval: Duration? = nil) {
        self.socketPath = socketPath
        self.watchdogInterval = watchdogInterval
    }

    /// The notifier `NOTIFY_SOCKET` asks for, or nil when it is unset or empty (not run by
    /// a service manager). A `WATCHDOG_USEC` that is not a positive number is ignored.
    public static func fromEnvironment() -> SystemdNotifier? {
        guard let path = Environment.value("NOTIFY_SOCKET"), !path.isEmpty else { return nil }
        var interval: Duration?
        if let text = Environment.value("WATCHDOG_USEC"), let usec = Int64(text), usec > 0 {
            let watchedPID = Environment.value("WATCHDOG_PID").flatMap { Int32($0) }
            if watchedPID == nil || watchedPID == getpid() { interval = .microseconds(usec) }
        }
        return SystemdNotifier(socketPath: path, watchdogInterval: interval)
    }

    /// Sends `states` as one notification. Never blocks: throws with errno EAGAIN when the
    /// service manager's queue is full (it does not read; the notification is dropped),
    /// ENOENT or ECONNREFUSED when nothing listens on the socket, ENAMETOOLONG for a path
    /// that does not fit.
    public func notify(_ states: State...) throws(ProcessError) {
        try notify(states)
    }

    /// Sends `states` as one notification; never blocks (EAGAIN: dropped, as above).
    public func notify(_ states: [State]) throws(ProcessError) {
        let message = states.map(\.description).joined(separator: "\n")
        var bytes = Array(message.utf8)
        try check("notify \(socketPath)", bytes.withUnsafeMutableBytes { buffer in
            pc_notify_send(socketPath, buffer.baseAddress, buffer.count)
        })
    }
}
