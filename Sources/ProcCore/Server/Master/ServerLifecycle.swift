import Glibc

/// The moments of a server's life that the world outside hears of, in one place: the
/// master loop and the models call it (`MasterLoop`, `ServingModel`), and what each moment
/// tells (the ready line, the pid file, the old master after an upgrade, a service
/// manager) is added here, not in the loop.
///
/// `ready` comes once the server serves (fork mode: at once; prefork: once a worker
/// waits in accept); `reloading` and `reloaded` bracket a SIGHUP (prefork: from the new
/// generation's start to the old one's end; fork mode: both at once); `stopping` comes
/// when the server stops (SIGTERM, SIGINT, SIGQUIT, a halt, or after handing over to an
/// upgraded master; from the start of the drain delay). The admin endpoint's state
/// (`ServerState`: `/readyz`, the `state` gauge) follows these moments.
final class ServerLifecycle {
    /// Runs once, at `ready`: the caller's announcement (`Server.run(whenReady:)`).
    private var whenReady: (() -> Void)?
    /// Written at `ready`, removed at the end if it still holds this process's pid.
    let pidFile: PidFile?
    /// Set when this process is the new master of a binary upgrade: the old master waits
    /// for its `ready` (see `UpgradeHandover`).
    let handover: UpgradeHandover?
    /// The admin endpoint's state, and READY=1, RELOADING=1, STOPPING=1 for a service
    /// manager (nothing without one).
    private let operations: ServerOperations
    /// The log, for a pid file that cannot be written once ready.
    private let log: ServerLog
    private(set) var isReady = false
    /// Whether an upgraded master serves on the listener now (it owns a Unix socket's file).
    private(set) var hasHandedOver = false

    init(pidFile: PidFile?, handover: UpgradeHandover?, operations: ServerOperations, log: ServerLog) {
        self.pidFile = pidFile
        self.handover = handover
        self.operations = operations
        self.log = log
    }

    /// Sets what `ready` announces; `Server.run` calls it before the loop starts.
    func announce(with whenReady: (() -> Void)?) {
        self.whenReady = whenReady
    }

    /// The server serves: writes the pid file, tells the old master (after an upgrade),
    /// then runs the caller's announcement. Once; later calls do nothing.
    func ready() {
        guard !isReady else { return }
        isReady = true
        operations.state = .serving
        log.flush()
        if let pidFile {
            do {
                try pidFile.write()
            } catch {
                // Checked at init: only a folder that changed since can fail here.
                log.now(ServerEvent("pid_file_failed", .error, "\(log.prefix)\(error)", ["error": .string("\(error)")]))
            }
        }
        handover?.tellReady()
        operations.notifications.ready()
        whenReady?()
        whenReady = nil
    }

    // The three below are where a service manager hears of these moments (sd_notify's
    // RELOADING=1, READY=1, STOPPING=1); the loops already log them.

    /// A reload (SIGHUP) begins.
    func reloading() {
        if operations.state == .serving { operations.state = .reloading }
        operations.notifications.reloading()
    }

    /// The reload is over: the new generation serves alone.
    func reloaded() {
        if operations.state == .reloading { operations.state = .serving }
        operations.notifications.ready()
    }

    /// A binary upgrade's new master `pid` serves: this one drains and leaves.
    func handedOver(to pid: pid_t) {
        operations.state = .draining
        hasHandedOver = true
        operations.notifications.handedOver(to: pid)
    }

    /// The server stops (SIGTERM, SIGINT, SIGQUIT, a halt): `/readyz` fails from now on,
    /// even while the drain delay lets it accept; once.
    func stopping() {
        guard operations.state != .draining else { return }
        operations.state = .draining
        operations.notifications.stopping()
    }

    /// The server is about to return from `run`: removes the pid file if it is still ours.
    func finished() {
        pidFile?.removeIfOwned()
    }
}
