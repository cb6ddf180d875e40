import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// The fork-per-connection model (`ServerModel.forkPerConnection`), the seed's, made
/// production-grade.
///
/// One thread, one poll loop over five kinds of descriptor: the signal pipe (SIGTERM,
/// SIGINT, SIGHUP, SIGUSR2, SIGQUIT), the non-blocking listener, the ready pipe of a new master
/// during a binary upgrade (`BinaryUpgrade`), the metrics endpoint's event set
/// (`ServerOperations`), and the pidfd of every live child, which becomes
/// readable when that child ends, so each child is reaped as soon as it exits without
/// waitpid(-1) and without scanning the others; while connections keep coming, the
/// pidfds are polled again (without waiting) every few accepts, so that ended children
/// are reaped during a burst rather than piling up to the limit. Each connection is served by a forked
/// `ChildProcess` that closes the listener and runs the `ConnectionService`, or, for a
/// program, by the program spawned straight from here (no fork of this process); the
/// parent closes its copy of the connection right after. At `maxChildren` live children
/// the listener leaves the poll set and new connections wait in the kernel's backlog.
///
/// The parent forks at every connection, so every page it writes between two forks
/// faults and is copied while a child lives: its poll set, children and log live in
/// parent-only memory, and its state has no run-time exclusivity checks (README, "What
/// a fork costs").
final class ForkPerConnectionLoop {
    /// Slot of the signal pipe in `pollSet`.
    private static let signalSlot = 0
    /// Slot of the listener in `pollSet`; its fd is -1 while the server does not accept.
    private static let listenerSlot = 1
    /// Slot of an upgrade's ready pipe in `pollSet`; -1 while no upgrade is under way.
    private static let upgradeSlot = 2
    /// Slot of the metrics endpoint in `pollSet` (`ServerOperations`); its fd is -1 without one.
    private static let operationsSlot = 3
    /// Slot of the first child's pidfd in `pollSet`: children[i] is watched at slot i + 4.
    private static let firstChildSlot = 4
    /// How long accepting pauses after a failed accept or fork (EMFILE, EAGAIN, ENOMEM).
    private static let acceptPauseMilliseconds: Int64 = 100
    /// How many connections a burst accepts between two reaps: at most this many ended
    /// children wait for the loop's poll, and the poll of every pidfd is paid once per as
    /// many forks (at every accept, it cost about 3% of connections/s).
    private static let acceptsBetweenReaps = 8
    /// How often children without a pidfd are checked.
    private static let unwatchedCheckMilliseconds: Int32 = 50

    private let listener: TCPListener
    private let maxChildren: Int
    private let configuration: ServerConfiguration
    private let service: ConnectionService
    /// SIGTERM and SIGINT, as bytes for the poll loop.
    private let signals: SignalPipe
    /// The per-connection lines, written in one go each time the loop waits.
    private let log: ServerLog
    /// Metrics and notifications, between connections.
    private let operations: ServerOperations
    /// Ready, reloads and the drain, as told to the world outside.
    private let lifecycle: ServerLifecycle
    /// SIGUSR2: this server's successor, once started.
    private let upgrade: BinaryUpgrade

    // The loop's state is used by its one thread only, never across an access: the
    // run-time exclusivity checks are left out, since each wrote a thread-local page
    // that the next fork made the parent copy (perf record -e page-faults).
    private let pollSet: PollSet
    /// Children watched through their pidfd, in the order of their poll slots.
    private let children: ChildList
    /// Children without a pidfd (no pidfd_open, or EMFILE): checked on a timer.
    @exclusivity(unchecked) private var unwatched: [ChildProcess] = []
    @exclusivity(unchecked) private var summary = ServerSummary()
    /// The connection's descriptor, and its peer, that the child being started serves; nil
    /// outside `serve`. The child makes its own `TCPConnection` of its copy of the descriptor.
    @exclusivity(unchecked) private var connectionForChild: (descriptor: Int32, peer: SocketAddress)?
    @exclusivity(unchecked) private var acceptPausedUntilMs: Int64 = 0
    @exclusivity(unchecked) private var limitReported = false
    @exclusivity(unchecked) private var stopRequested = false
    /// Set once the drain has begun (it clears `stopRequested` to see a second signal).
    @exclusivity(unchecked) private var draining = false
    /// SIGQUIT: stop at once, without the grace.
    @exclusivity(unchecked) private var quitRequested = false

    /// A loop over `listener` (made non-blocking here) with at most `maxChildren` children.
    init(
        listener: TCPListener, maxChildren: Int, configuration: ServerConfiguration,
        service: ConnectionService, log: ServerLog, signals: SignalPipe, operations: ServerOperations,
        lifecycle: ServerLifecycle, upgrade: BinaryUpgrade
    ) throws(ProcessError) {
        self.listener = listener
        self.maxChildren = maxChildren
        self.configuration = configuration
        self.service = service
        self.log = log
        self.signals = signals
        self.operations = operations
        self.lifecycle = lifecycle
        self.upgrade = upgrade
        try listener.setNonBlocking()
        // Children come and go at connection rate: no reallocation on that path.
        pollSet = PollSet(capacity: Self.firstChildSlot + maxChildren)
        pollSet.append(pollfd(fd: signals.descriptor.rawValue, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: -1, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: operations.descriptor, events: Int16(POLLIN), revents: 0))
        children = ChildList(capacity: maxChildren)
    }

    /// The number of live children.
    var liveChildren: Int { children.count + unwatched.count }

    /// Serves until SIGTERM or SIGINT, or until a new master started by SIGUSR2 serves,
    /// then drains: closes the listener (the new master's copy stays open), lets live
    /// connections go on for up to `grace`, SIGKILLs the rest and reaps every child.
    /// SIGQUIT, before or during the drain, skips the grace: every child (a program with
    /// its process group) is killed and reaped at once.
    func run() -> ServerSummary {
        // The server sets no disposition after init (SIGPIPE ignored, SIGTERM and SIGINT
        // to the pipe): its children reset those only, not all 62 signals (about
        // 15 µs of sigaction calls per connection).
        _ = pc_fork_reset_changed_signals_only()
        lifecycle.ready()
        while !stopRequested {
            waitForEvents(timeoutMs: loopTimeout())
            handleSignals()
            followUpgrade()
            reapEndedChildren()
            performOperations()
            if !stopRequested && pollSet[Self.listenerSlot].revents != 0 { acceptConnections() }
            updateAccepting()
        }
        drain()
        return summary
    }

    // MARK: - The loop

    private func loopTimeout() -> Int32 {
        var timeout: Int32 = -1
        if !unwatched.isEmpty { timeout = Self.unwatchedCheckMilliseconds }
        if acceptPausedUntilMs > 0 {
            let left = Int32(clamping: max(0, acceptPausedUntilMs - Self.nowMs()))
            timeout = timeout < 0 ? left : min(timeout, left)
        }
        if let due = operations.nextDueNs {
            let left = Int32(clamping: max(0, (due - MonotonicClock.nanoseconds() + 999_999) / 1_000_000))
            timeout = timeout < 0 ? left : min(timeout, left)
        }
        if let upgradeTimeout = upgrade.pollTimeoutMs(now: MonotonicClock.nanoseconds()) {
            timeout = timeout < 0 ? upgradeTimeout : min(timeout, upgradeTimeout)
        }
        return timeout
    }

    /// Scrapes and notifications (nothing at all without `--metrics` or `NOTIFY_SOCKET`).
    private func performOperations() {
        guard operations.isActive else { return }
        operations.perform(nowNs: Int64(pc_monotonic_ns()), metricsReady: pollSet[Self.operationsSlot].revents != 0) {
            ServerMetrics(model: "forkPerConnection", connectionsTotal: summary.connectionsServed, connectionsActive: liveChildren)
        }
    }

    private func waitForEvents(timeoutMs: Int32) {
        log.flush()
        let result = pollSet.poll(timeoutMs: timeoutMs)
        if result != 0 {
            // Only EINVAL/ENOMEM are possible here; don't spin on them.
            log.now(ServerEvent("poll_failed", .error, "\(ProcessError.systemCall("poll", result))"))
            MonotonicClock.sleep(for: .milliseconds(100))
            pollSet.clearEvents()
        }
    }

    private func handleSignals() {
        guard pollSet[Self.signalSlot].revents != 0 else { return }
        for signal in signals.drain() {
            switch signal {
            case SIGHUP:
                // Nothing to restart: each connection's child already runs the code as it
                // is, and the listener stays as it is.
                lifecycle.reloading()
                log.note(ServerEvent(
                    "reloading", .info, "reload (SIGHUP): fork per connection keeps its \(liveChildren) live children as they are; nothing to restart",
                    ["live_children": .int(liveChildren)]))
                lifecycle.reloaded()
            case SIGUSR2:
                if stopRequested || draining {
                    log.now(ServerEvent("upgrade_ignored", .warning, "upgrade (SIGUSR2) ignored: the server is stopping"))
                    continue
                }
                log.now(upgrade.start(listener: listener))
                pollSet[Self.upgradeSlot].fd = upgrade.readyDescriptor
            case SIGQUIT:
                quitRequested = true
                stopRequested = true
            default:
                // SIGTERM, SIGINT.
                stopRequested = true
            }
        }
    }

    /// Follows an upgrade under way: once the new master serves, this one drains.
    private func followUpgrade() {
        guard upgrade.isUnderWay, let outcome = upgrade.check(now: MonotonicClock.nanoseconds()) else { return }
        pollSet[Self.upgradeSlot].fd = -1
        switch outcome {
        case .ready(let pid, let elapsed):
            log.now(BinaryUpgrade.handedOver(to: pid, after: elapsed))
            lifecycle.handedOver(to: pid)
            stopRequested = true
        case .failed(let event):
            log.now(event)
        }
    }

    /// Reaps every child whose pidfd says it ended, and checks those without a pidfd.
    private func reapEndedChildren() {
        var index = children.count - 1
        while index >= 0 {
            if pollSet[Self.firstChildSlot + index].revents != 0 {
                let child = children[index]
                if child.exitCode != nil {
                    childEnded(child)
                    removeChild(at: index)
                }
            }
            index -= 1
        }
        if !unwatched.isEmpty {
            unwatched.removeAll { child in
                guard child.exitCode != nil else { return false }
                childEnded(child)
                return true
            }
        }
    }

    /// Removes children[index] and its poll slot, moving the last child into their place
    /// (the last poll slot is the last child's).
    private func removeChild(at index: Int) {
        children.swapRemove(at: index)
        pollSet.swapRemove(at: Self.firstChildSlot + index)
    }

    private func childEnded(_ child: ChildProcess) {
        log.record(ChildExitEvent(pid: child.pid ?? 0, exitCode: child.exitCode ?? 0))
    }

    /// Accepts every queued connection, up to the limit of live children. Every
    /// `acceptsBetweenReaps` accepts, children that have ended meanwhile are reaped: while clients keep
    /// connecting the loop may not go back to its poll for long, and live children must
    /// stay near the real concurrency, not climb to the limit as zombies.
    private func acceptConnections() {
        var served = 0
        while liveChildren < maxChildren {
            if served > 0 && served % Self.acceptsBetweenReaps == 0 { reapBetweenAccepts() }
            let accepted: AcceptedConnection?
            do {
                accepted = try listener.acceptWithPeer()
            } catch {
                // EMFILE, ENFILE, ENOBUFS...: the listener stays readable, so pause
                // instead of spinning; the connection waits in the backlog meanwhile.
                log.now(ServerEvent(
                    "accept_paused", .warning, "\(error); pausing accept for \(Self.acceptPauseMilliseconds) ms",
                    ["error": .string("\(error)"), "pause_ms": .int(Int(Self.acceptPauseMilliseconds))]))
                acceptPausedUntilMs = Self.nowMs() + Self.acceptPauseMilliseconds
                return
            }
            guard let accepted else { return }
            let peer = accepted.peer
            serve(accepted.connection, peer: peer)
            served += 1
        }
    }

    /// Polls the children's pidfds without waiting, then reaps those that ended.
    private func reapBetweenAccepts() {
        guard children.count > 0 || !unwatched.isEmpty else { return }
        if children.count > 0 && pollSet.pollWithoutWaiting(from: Self.firstChildSlot) != 0 { return }
        reapEndedChildren()
    }

    private func serve(_ connection: consuming TCPConnection, peer: SocketAddress) {
        let child: ChildProcess
        do {
            child = try startChild(serving: connection, peer: peer)
        } catch {
            connection.close()
            log.now(ServerEvent("fork_failed", .error, "cannot serve \(peer): \(error)", ["peer": .string("\(peer)"), "error": .string("\(error)")]))
            acceptPausedUntilMs = Self.nowMs() + Self.acceptPauseMilliseconds
            return
        }
        connection.close()
        summary.connectionsServed += 1
        if let pidfd = child.processDescriptor {
            children.append(child)
            pollSet.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0))
        } else {
            unwatched.append(child)
        }
        log.record(ConnectionEvent(peer: peer, pid: child.pid ?? 0))
    }

    /// Forks a child that serves `connection`, or spawns the program on it.
    private func startChild(serving connection: borrowing TCPConnection, peer: SocketAddress) throws(ProcessError) -> ChildProcess {
        if case .program(let spawner) = service.work {
            return try spawner.start(on: connection, peer: peer, idleTimeout: configuration.idleTimeout)
        }
        // The closure captures only `self`, which then is its context: a closure that
        // captured the connection would cost an allocation per connection, and the heap
        // page it lands on a copy at the next fork.
        connectionForChild = (connection.descriptor, peer)
        defer { connectionForChild = nil }
        // The server runs one thread, so the per-start thread count check is skipped.
        let child = ChildProcess(name: "connection", threadPolicy: .allow) { [self] in try serveInChild() }
        try child.start()
        return child
    }

    /// What a connection's child does: close the listener and serve until the end.
    private func serveInChild() throws {
        listener.close()
        operations.closeInChild()
        // Ctrl-C or a hangup in a terminal signals the whole process group: the server
        // decides when its children end (after --grace, never at a reload), not the terminal.
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        guard let (descriptor, peer) = connectionForChild else { throw ChildProcess.Exit(1) }
        let code = service.serve(TCPConnection(adopting: descriptor), peer: peer)
        if code != 0 { throw ChildProcess.Exit(code) }
    }

    /// Puts the listener in or out of the poll set: out at the limit of live children
    /// (connections wait in the backlog) and while accepting is paused.
    private func updateAccepting() {
        if acceptPausedUntilMs > 0 && Self.nowMs() >= acceptPausedUntilMs { acceptPausedUntilMs = 0 }
        let atLimit = liveChildren >= maxChildren
        if atLimit && !limitReported && !configuration.quiet {
            log.now(ServerEvent(
                "limit_reached", .warning, "limit reached: \(liveChildren) live children; new connections wait in the backlog",
                ["live_children": .int(liveChildren)]))
        }
        limitReported = atLimit
        let accepting = !atLimit && acceptPausedUntilMs == 0 && !stopRequested
        pollSet[Self.listenerSlot].fd = accepting ? listener.descriptor : -1
        pollSet[Self.listenerSlot].revents = 0
    }

    // MARK: - Shutdown

    private func drain() {
        if upgrade.isUnderWay {
            log.now(upgrade.abandon(because: "this server stops first"))
            pollSet[Self.upgradeSlot].fd = -1
        }
        draining = true
        lifecycle.stopping()
        listener.close()
        pollSet[Self.listenerSlot].fd = -1
        stopRequested = false
        let grace = quitRequested ? Duration.zero : configuration.grace
        if quitRequested {
            log.note(ServerEvent(
                "quitting", .info, "quitting (SIGQUIT): killing \(liveChildren) live connections", ["live_connections": .int(liveChildren)]))
        } else {
            log.note(ServerEvent(
                "shutting_down", .info, "shutting down: \(liveChildren) live connections, waiting up to \(grace.secondsText) s",
                ["live_connections": .int(liveChildren), "grace_s": .seconds(grace)]))
        }
        let deadline = Self.nowMs() + Int64(grace.roundedUpMilliseconds)
        while liveChildren > 0 && !stopRequested {
            let left = deadline - Self.nowMs()
            if left <= 0 { break }
            let timeout = unwatched.isEmpty ? left : min(left, Int64(Self.unwatchedCheckMilliseconds))
            waitForEvents(timeoutMs: Int32(clamping: timeout))
            // A second SIGTERM or SIGINT, or SIGQUIT, cuts the grace short.
            handleSignals()
            reapEndedChildren()
            performOperations()
        }
        var programs = false
        if case .program = service.work { programs = true }
        for child in children.all + unwatched where (try? child.isAlive) == true {
            // A program leads a process group of its own (`ProgramSpawner`): what it
            // started goes with it. The group is signalled before the program is reaped,
            // while its number cannot name another group.
            if programs { child.killProcessGroup() }
            try? child.kill()
            summary.childrenKilled += 1
        }
        for child in children.all + unwatched {
            try? child.join()
            childEnded(child)
        }
        children.removeAll()
        unwatched.removeAll()
        log.flush()
    }

    // MARK: - Time

    private static func nowMs() -> Int64 {
        MonotonicClock.nanoseconds() / 1_000_000
    }
}
