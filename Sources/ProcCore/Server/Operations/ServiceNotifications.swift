import CProcShim

import Glibc

/// The server's side of systemd's notify protocol (`Type=notify`), through
/// `SystemdNotifier`: READY=1 once it serves, RELOADING=1 and READY=1 around a reload,
/// STOPPING=1 when it drains, STATUS= lines with its figures, and WATCHDOG=1 from the
/// master's loop when `WATCHDOG_USEC` asks for it.
///
/// Without `NOTIFY_SOCKET` every call does nothing. A socket that cannot be reached
/// (it does not exist, nothing listens) is logged once, and the server goes on serving
/// without notifications: a service manager's absence is no reason to stop. Sending never
/// blocks the master: a notification that finds the manager's queue full (it does not
/// read) is dropped, not retried; the first drop is logged, and the next one only after
/// a notification has got through again.
final class ServiceNotifications {
    /// How often STATUS= is refreshed, when its text has changed.
    static let statusInterval: Duration = .seconds(2)

    private var notifier: SystemdNotifier?
    /// Between two WATCHDOG=1: a quarter of `WATCHDOG_USEC`, so that at least two come
    /// within each interval even when the loop is late.
    private let watchdogPeriod: Duration?
    private var nextWatchdog = MonotonicInstant(nanoseconds: 0)
    private var nextStatus = MonotonicInstant(nanoseconds: 0)
    private var lastStatus = ""
    private var serving = false
    /// Set at a dropped notification, cleared at the next one sent: one log line per stall.
    private var dropReported = false
    /// The address served, for the first STATUS= line.
    private let address: String
    private let log: ServerLog

    /// Notifications to the service manager `NOTIFY_SOCKET` names, if any, about a server
    /// on `address`. `WATCHDOG_PID` is removed once read: it names this process, and a
    /// new master after a binary upgrade, which inherits the environment, must not take
    /// it for another's (it then sends WATCHDOG=1 itself, as `MAINPID=` makes it the one
    /// watched).
    init(serving address: String, log: ServerLog) {
        self.address = address
        self.log = log
        notifier = SystemdNotifier.fromEnvironment()
        watchdogPeriod = notifier?.watchdogInterval.map { max(.milliseconds(1), $0 / 4) }
        if watchdogPeriod != nil { Environment.remove("WATCHDOG_PID") }
    }

    /// Whether anything is sent at all.
    var isActive: Bool { notifier != nil }

    /// READY=1 (with MAINPID=, so that after a binary upgrade the new master becomes the
    /// service's main process) and a first STATUS= naming the address; the figures follow
    /// at the next tick.
    func ready() {
        serving = true
        lastStatus = ""
        nextStatus = .now + Self.statusInterval
        send([.ready, .mainPID(getpid()), .status("serving on \(address)")])
    }

    /// RELOADING=1 with MONOTONIC_USEC=, as systemd wants for `Type=notify-reload` too.
    func reloading() {
        send([.reloading, .monotonicNow(), .status("reloading")])
    }

    /// STOPPING=1: the server drains.
    func stopping() {
        serving = false
        send([.stopping, .status("draining: no new connections; live ones finish")])
    }

    /// A binary upgrade's new master serves: while still the service's main process, this
    /// one names `pid` as the main process (MAINPID=, which systemd takes from the main
    /// process under `NotifyAccess=main`), then says nothing more, not even STOPPING=1
    /// when it drains: the service goes on, served by `pid`.
    func handedOver(to pid: pid_t) {
        send([.mainPID(pid), .status("upgraded: new master \(pid) serves; \(getpid()) drains")])
        notifier = nil
    }

    /// The moment `tick` next has something to send, or nil.
    var nextDue: MonotonicInstant? {
        guard notifier != nil else { return nil }
        var due = watchdogPeriod.map { _ in nextWatchdog }
        if serving { due = min(due ?? nextStatus, nextStatus) }
        return due
    }

    /// Sends WATCHDOG=1 and a changed STATUS= when they are due; `metrics` is read only then.
    func tick(at now: MonotonicInstant, metrics: () -> ServerMetrics) {
        guard notifier != nil else { return }
        var states: [SystemdNotifier.State] = []
        if let period = watchdogPeriod, now >= nextWatchdog {
            nextWatchdog = now + period
            states.append(.watchdog)
        }
        if serving && now >= nextStatus {
            nextStatus = now + Self.statusInterval
            let status = metrics().statusLine
            if status != lastStatus {
                lastStatus = status
                states.append(.status("serving: \(status)"))
            }
        }
        if !states.isEmpty { send(states) }
    }

    private func send(_ states: [SystemdNotifier.State]) {
        guard let notifier else { return }
        do {
            try notifier.notify(states)
            dropReported = false
        } catch where error.errno == .resourceTemporarilyUnavailable {
            guard !dropReported else { return }
            dropReported = true
            log.now(ServerEvent(
                "notify_dropped", .warning,
                "\(log.prefix)the service manager does not read its notifications (NOTIFY_SOCKET=\(notifier.socketPath)): its queue is full; dropping them until it reads again",
                ["socket": .string(notifier.socketPath)]))
        } catch {
            self.notifier = nil
            log.now(ServerEvent(
                "notify_failed", .warning,
                "\(log.prefix)cannot notify the service manager (NOTIFY_SOCKET=\(notifier.socketPath)): \(error.reason); serving without notifications",
                ["socket": .string(notifier.socketPath)]))
        }
    }
}
