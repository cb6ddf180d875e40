import Glibc

/// A server's master: one loop, of short named steps, around one poll, whatever the
/// serving model (`ServingModel`: fork per connection, prefork).
///
/// Its shape is gunicorn's arbiter: wait for an event or a deadline; handle the signals;
/// follow a binary upgrade; let the model handle its events (reap, accept, keep its
/// pool); serve metrics and notifications; announce the server once it serves. It blocks
/// only in its one poll, over the signal pipe, the ready pipe of an upgrade's new master,
/// the metrics endpoint, then the model's own descriptors.
///
/// Signals: SIGTERM or SIGINT drains: with a drain delay, `/readyz` fails at once while
/// the server goes on accepting for that long (a balancer's health check takes it out of
/// rotation meanwhile); then no new connection, those already queued on the listener are
/// served (the model takes the queue before it closes the listener), and live ones go
/// on for up to `grace`, then are killed. A second one, or SIGQUIT, stops at once; SIGHUP asks the
/// model to reload; SIGUSR2 starts a binary upgrade (`BinaryUpgrade`), and once the new
/// master serves, this one drains and leaves the listener to it. The model's own signals
/// go to the model.
///
/// Fork per connection forks at every connection: every page the master writes between
/// two forks is copied while a child lives, so its state lives in parent-only memory
/// (the poll set) or is written without run-time exclusivity checks.
final class MasterLoop<Model: ServingModel> {
    /// Where the loop is in the server's life.
    private enum Phase {
        case serving
        /// SIGTERM or SIGINT with a drain delay: not ready, but accepting until then.
        case leavingRotation(until: MonotonicInstant)
        /// SIGTERM, SIGINT, or handed over to a new master: live connections finish.
        case draining
        /// SIGQUIT, or a second SIGTERM or SIGINT: everything is killed at once.
        case quitting
        /// The model cannot go on (why): everything is killed at once.
        case halted(String)
    }

    /// Slot of the signal pipe in the poll set.
    private static var signalSlot: Int { 0 }
    /// Slot of an upgrade's ready pipe (-1 while none is under way).
    private static var upgradeSlot: Int { 1 }
    /// Slot of the metrics endpoint (-1 without one).
    private static var operationsSlot: Int { 2 }
    /// The model's slots start here.
    private static var firstModelSlot: Int { 3 }
    /// How long the loop pauses after a failed poll (EINVAL, ENOMEM), rather than spin.
    private static var pollFailurePause: Duration { .milliseconds(100) }

    /// The serving model.
    let model: Model
    private let listener: SocketListener
    private let signals: SignalPipe
    private let log: ServerLog
    private let operations: ServerOperations
    private let lifecycle: ServerLifecycle
    private let upgrade: BinaryUpgrade
    private let grace: Duration
    private let drainDelay: Duration
    private let pollSet: PollSet
    @exclusivity(unchecked) private var phase = Phase.serving
    /// A new master serves from the listener too: the drain must leave it open for it.
    @exclusivity(unchecked) private var handedOver = false
    /// In a binary upgrade's new master: the old master, which holds the listener too
    /// while it lives (this process's parent until it ends); nil once it has ended.
    @exclusivity(unchecked) private var oldMaster: pid_t?
    /// What the model was last told (`ServingModel.shareListener`).
    @exclusivity(unchecked) private var listenerShared = false
    /// A service manager keeps a copy of the listener (socket activation).
    private let listenerKeptElsewhere: Bool
    /// How often a new master looks whether its old master has ended.
    private static var oldMasterCheck: Duration { .seconds(1) }

    init(model: Model, context: ServingContext, signals: SignalPipe, upgrade: BinaryUpgrade, grace: Duration, drainDelay: Duration) {
        self.model = model
        listener = context.listener
        self.signals = signals
        log = context.log
        operations = context.operations
        lifecycle = context.lifecycle
        self.upgrade = upgrade
        self.grace = grace
        self.drainDelay = drainDelay
        listenerKeptElsewhere = context.listenerKeptByServiceManager
        if context.lifecycle.handover != nil { oldMaster = getppid() }
        // Children come and go at connection rate: no reallocation on that path.
        pollSet = PollSet(capacity: Self.firstModelSlot + model.pollCapacity)
        pollSet.append(pollfd(fd: signals.descriptor.rawValue, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: -1, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: operations.descriptor, events: Int16(POLLIN), revents: 0))
    }

    /// Serves until told to stop (or the model halts), then drains or stops at once;
    /// returns what the model did.
    func run() -> ServerSummary {
        updateListenerSharing()
        do {
            try model.start(at: .now)
        } catch {
            log.now(ServerEvent("start_failed", .error, "\(log.prefix)cannot serve: \(error)", ["error": .string("\(error)")]))
            model.stopAccepting(handedOver: false, at: .now)
            model.stopNow()
            return model.summary
        }
        announceWhenServing()
        while isAccepting { turn() }
        return finish()
    }

    // MARK: - The loop

    private var isServing: Bool {
        if case .serving = phase { return true }
        return false
    }

    /// Serving, or in the drain delay.
    private var isAccepting: Bool {
        if case .leavingRotation = phase { return true }
        return isServing
    }

    /// The end of the drain delay, while in it.
    private var rotationEnd: MonotonicInstant? {
        if case .leavingRotation(let end) = phase { return end }
        return nil
    }

    /// One turn: wait, then each duty in order.
    private func turn() {
        waitForEvents(until: rotationEnd ?? oldMaster.map { _ in .now + Self.oldMasterCheck })
        handleSignals()
        followUpgrade()
        updateListenerSharing()
        let now = MonotonicInstant.now
        model.handleEvents(pollSet, from: Self.firstModelSlot, at: now, serving: isAccepting)
        performOperations(at: now)
        if isAccepting, let reason = model.haltReason { phase = .halted(reason) }
        if let end = rotationEnd, now >= end { phase = .draining }
        announceWhenServing()
    }

    /// Polls until an event, the next deadline of the model, the operations or an upgrade,
    /// or `limit`. The log's gathered lines are written first: the loop waits here only.
    private func waitForEvents(until limit: MonotonicInstant?) {
        model.preparePoll(pollSet, from: Self.firstModelSlot)
        let now = MonotonicInstant.now
        var deadline = Self.earliest(limit, model.nextDeadline(after: now))
        deadline = Self.earliest(deadline, operations.nextDue)
        deadline = Self.earliest(deadline, upgrade.nextCheck(after: now))
        log.flush()
        let result = pollSet.poll(milliseconds: now.pollTimeout(until: deadline))
        if result != 0 {
            // Only EINVAL or ENOMEM: do not spin on them.
            log.now(ServerEvent("poll_failed", .error, "\(log.prefix)\(ProcessError.systemCall("poll", result))"))
            MonotonicClock.sleep(for: Self.pollFailurePause)
            pollSet.clearEvents()
        }
    }

    private func handleSignals() {
        guard pollSet[Self.signalSlot].revents != 0 else { return }
        for signal in signals.drain() {
            switch signal {
            case SIGTERM, SIGINT:
                if isServing && drainDelay > .zero {
                    leaveRotation()
                } else {
                    stop(atOnce: !isServing)
                }
            case SIGQUIT:
                stop(atOnce: true)
            case SIGHUP:
                guard isServing else {
                    log.note(ServerEvent("reload_ignored", .info, "reload (SIGHUP) ignored: the server is stopping"))
                    continue
                }
                model.reload(at: .now)
            case SIGUSR2:
                guard isServing else {
                    log.now(ServerEvent("upgrade_ignored", .warning, "upgrade (SIGUSR2) ignored: the server is stopping"))
                    continue
                }
                log.now(upgrade.start(listener: listener))
                pollSet[Self.upgradeSlot].fd = upgrade.readyDescriptor
            default:
                if isServing { model.handle(signal: signal) }
            }
        }
    }

    /// Drains (a first SIGTERM or SIGINT while serving) or stops at once; a halt stays one.
    private func stop(atOnce: Bool) {
        if case .halted = phase { return }
        phase = atOnce ? .quitting : .draining
    }

    /// SIGTERM or SIGINT with a drain delay: `/readyz` fails now, connections are still
    /// accepted until the delay ends, then the drain begins.
    private func leaveRotation() {
        phase = .leavingRotation(until: .now + drainDelay)
        lifecycle.stopping()
        log.note(ServerEvent(
            "leaving_rotation", .info, "draining: /readyz fails; accepting for \(drainDelay.secondsText) s more (drain delay)",
            ["drain_delay_s": .seconds(drainDelay)]))
    }

    /// Tells the model whether another process holds the listener: a new master (an
    /// upgrade under way, or handed over); in an upgrade's new master, the old master
    /// while it lives; a service manager that passed it.
    private func updateListenerSharing() {
        if let oldMaster, getppid() != oldMaster { self.oldMaster = nil }
        let shared = upgrade.isUnderWay || handedOver || oldMaster != nil || listenerKeptElsewhere
        guard shared != listenerShared else { return }
        listenerShared = shared
        model.shareListener(shared)
    }

    /// Follows an upgrade under way: once the new master serves, this one drains.
    private func followUpgrade() {
        guard upgrade.isUnderWay, let outcome = upgrade.check(at: .now) else { return }
        pollSet[Self.upgradeSlot].fd = -1
        switch outcome {
        case .ready(let pid, let elapsed):
            log.now(BinaryUpgrade.handedOver(to: pid, after: elapsed))
            lifecycle.handedOver(to: pid)
            if isAccepting {
                handedOver = true
                phase = .draining
            }
        case .failed(let event):
            log.now(event)
        }
    }

    /// Scrapes and notifications (nothing at all without metrics or `NOTIFY_SOCKET`).
    private func performOperations(at now: MonotonicInstant) {
        guard operations.isActive else { return }
        operations.perform(at: now, metricsReady: pollSet[Self.operationsSlot].revents != 0) { model.metrics() }
    }

    /// The lifecycle's `ready`, once, the first time the model serves.
    private func announceWhenServing() {
        guard !lifecycle.isReady, isServing, model.isServing else { return }
        lifecycle.ready()
    }

    // MARK: - The end

    private func finish() -> ServerSummary {
        if upgrade.isUnderWay {
            log.now(upgrade.abandon(because: "this server stops first"))
            pollSet[Self.upgradeSlot].fd = -1
        }
        lifecycle.stopping()
        var summary: ServerSummary
        if case .halted(let reason) = phase {
            log.now(ServerEvent("halted", .error, "\(log.prefix)\(reason); stopping", ["reason": .string(reason)]))
            model.stopAccepting(handedOver: false, at: .now)
            model.stopNow()
            summary = model.summary
            summary.haltReason = reason
        } else {
            drain()
            summary = model.summary
        }
        log.flush()
        return summary
    }

    /// Stops accepting, lets live connections go on for up to `grace` (none after
    /// SIGQUIT), then has the model kill the rest and reap everything.
    private func drain() {
        let start = MonotonicInstant.now
        model.stopAccepting(handedOver: handedOver, at: start)
        let live = model.liveWork
        var deadline = start
        if case .quitting = phase {
            log.note(ServerEvent(
                "quitting", .info, "quitting (SIGQUIT): killing \(live.count) \(live.noun)", [live.field: .int(live.count)]))
        } else {
            log.note(ServerEvent(
                "shutting_down", .info, "shutting down: \(live.count) \(live.noun), waiting up to \(grace.secondsText) s",
                [live.field: .int(live.count), "grace_s": .seconds(grace)]))
            deadline = start + grace
        }
        while case .draining = phase, !model.isFinished, MonotonicInstant.now < deadline {
            waitForEvents(until: deadline)
            // A second SIGTERM or SIGINT, or SIGQUIT, cuts the grace short.
            handleSignals()
            let now = MonotonicInstant.now
            model.handleEvents(pollSet, from: Self.firstModelSlot, at: now, serving: false)
            performOperations(at: now)
        }
        model.stopNow()
    }

    private static func earliest(_ first: MonotonicInstant?, _ second: MonotonicInstant?) -> MonotonicInstant? {
        guard let first else { return second }
        guard let second else { return first }
        return min(first, second)
    }
}
