import CProcShim

import Glibc

/// The prefork model (`ServerModel.prefork`), as a `ServingModel` of the `MasterLoop`:
/// forks the workers, keeps the pool at its size, replaces workers that end, recycles,
/// times out and resizes them, and at the end lets them finish their connection.
///
/// Gunicorn's arbiter's duties besides its signals: reap, kill the hung, manage the
/// pool. Its poll slots are the workers' pidfds, each readable when that worker ends, so
/// a worker is reaped and replaced at once, without waitpid(-1) or SIGCHLD. The master
/// never serves a connection; what the workers do, it reads from the scoreboard.
///
/// A worker is killed with its process group, its program included, and one that ends
/// by itself has its group killed before it is reaped. SIGTTIN adds a worker, SIGTTOU
/// removes one (never below 1). SIGHUP reloads: a new generation of workers is forked,
/// and once it accepts, the old one is told to leave, each worker after its current
/// connection. When the drain begins the listener drops new connections and the
/// workers drain it (`ListenerDuty`): every connection queued on it is served, then it
/// is shut down; unless a new master serves it after a binary upgrade: then only this
/// process's descriptor is closed, and the workers are told again to leave until they
/// have.
final class PreforkModel: ServingModel {
    /// One live worker, as the master knows it.
    private struct Worker {
        let process: ChildProcess
        let slot: Int
        /// The reload it was forked for (0 at start, one more at each SIGHUP).
        let generation: Int
        let started: MonotonicInstant
        /// Told to leave (the pool shrinks): no longer counted in the pool.
        var leaving = false
        /// When it was last sent SIGTERM: sent again while it stays (see `resendStops`).
        var stopSent = MonotonicInstant(nanoseconds: 0)
        var timedOut = false
        /// For the worker timeout.
        var progress: ProgressWatch?
    }

    /// A SIGHUP under way: the new generation boots, then the old one leaves.
    private struct Reload {
        let started: MonotonicInstant
        /// Whether the older generations have been told to leave (the new one accepts).
        var oldToldToLeave = false
    }

    /// Workers in a row that never boot before the server halts.
    static let bootFailureLimit = 5
    /// How often the pool is resized and workers that ignored a stop are told again.
    static let tick: Duration = .seconds(1)
    /// How long spawning pauses after a failed fork (EAGAIN, ENOMEM).
    static let forkFailurePause: Duration = .seconds(1)
    /// How often, while handing over, workers are told again to leave: one blocked in
    /// accept may have missed the first SIGTERM (see `resendStops`) and would otherwise
    /// wait for a connection that the new master's workers could take.
    static let handoverStopResend: Duration = .milliseconds(100)
    /// How often the master looks for its first ready worker.
    static let readinessCheck: Duration = .milliseconds(5)
    /// How often workers without a pidfd (ENOSYS, EMFILE) are looked at.
    static let unwatchedCheck: Duration = .milliseconds(50)

    /// The listener, the service, the log, the operations and the lifecycle.
    private let context: ServingContext
    private let options: PreforkOptions
    private let master = getpid()

    private var scoreboard: Scoreboard?
    private var workers: [Worker] = []
    private(set) var summary = ServerSummary()
    private(set) var haltReason: String?
    /// False once the drain has begun (or the master stops otherwise): workers that end
    /// are not replaced.
    private var serving = true
    /// Whether a worker has accepted yet (the server was announced).
    private var announced = false
    private var restarts = WorkerRestarts()
    /// The pool's size (`workers`, moved by SIGTTIN and SIGTTOU) and its ceiling.
    private var target: Int
    private var maximum: Int
    private var ramp: PoolRamp
    private var crashGuard = CrashLoopGuard(bootFailureLimit: PreforkModel.bootFailureLimit)
    /// No worker is forked before this time (a crash-loop backoff or a failed fork).
    private var spawnNotBefore = MonotonicInstant(nanoseconds: 0)
    private var nextTick = MonotonicInstant(nanoseconds: 0)
    private var nextProgressCheck = MonotonicInstant(nanoseconds: 0)
    private var listenerOpen = true
    /// The generation new workers belong to; workers of older ones leave on reload.
    private var generation = 0
    private var reload: Reload?
    /// A SIGHUP that came during a reload: run once that one is over.
    private var reloadQueued = false
    /// An upgraded master serves from the listener too: the drain must not shut it down.
    private var handedOver = false
    /// Another master (a binary upgrade's) holds the listener: no worker may drain it.
    private var listenerShared = false
    /// While handing over: when every worker was last told to leave.
    private var stopsResent = MonotonicInstant(nanoseconds: 0)

    /// Serves the context's listener with workers as `options` say.
    init(context: ServingContext, options: PreforkOptions) {
        self.context = context
        self.options = options
        target = options.workers
        maximum = max(options.maxWorkers, options.workers)
        ramp = PoolRamp(idleExit: options.extraWorkerIdleTimeout)
    }

    /// One slot per worker: at most the scoreboard's.
    var pollCapacity: Int { Scoreboard.capacity }
    var ownSignals: [Int32] { [SIGTTIN, SIGTTOU] }
    var isFinished: Bool { workers.isEmpty }

    /// Once a worker waits in accept (never when no worker can start).
    var isServing: Bool {
        guard !announced, let scoreboard else { return announced }
        announced = workers.contains { [.idle, .busy].contains(scoreboard.state(of: $0.slot)) }
        return announced
    }

    var liveWork: LiveWork {
        let busy = workers.filter { scoreboard?.state(of: $0.slot) == .busy }.count
        return LiveWork(count: busy, noun: "busy workers", field: "busy_workers")
    }

    /// Makes the listener blocking (workers block in accept, see `PreforkWorker`), maps
    /// the scoreboard and forks the workers.
    func start(at now: MonotonicInstant) throws(ProcessError) {
        try context.listener.setNonBlocking(false)
        scoreboard = try Scoreboard()
        manageWorkers(now: now)
    }

    /// Worker i's pidfd at `slot` + i (-1 without one).
    func preparePoll(_ pollSet: PollSet, from slot: Int) {
        pollSet.removeEntries(from: slot)
        for worker in workers {
            pollSet.append(pollfd(fd: worker.process.rawProcessDescriptor ?? -1, events: Int16(POLLIN), revents: 0))
        }
    }

    func nextDeadline(after now: MonotonicInstant) -> MonotonicInstant? {
        var deadline: MonotonicInstant?
        func consider(_ moment: MonotonicInstant) { deadline = min(deadline ?? moment, moment) }
        if serving {
            if pool < target { consider(spawnNotBefore) }
            if maximum > target || pool > target || workers.contains(where: \.leaving) { consider(nextTick) }
            if options.workerTimeout != nil { consider(nextProgressCheck) }
            if !announced || (reload.map { !$0.oldToldToLeave } ?? false) { consider(now + Self.readinessCheck) }
        } else if handedOver {
            consider(stopsResent + Self.handoverStopResend)
        }
        // Without a pidfd (ENOSYS, EMFILE) a worker's end is found by looking.
        if workers.contains(where: { $0.process.rawProcessDescriptor == nil }) { consider(now + Self.unwatchedCheck) }
        return deadline
    }

    /// Reaps; then, while serving, kills the hung, keeps the pool and follows a reload;
    /// while handing over, tells the workers again to leave.
    func handleEvents(_ pollSet: PollSet, from slot: Int, at now: MonotonicInstant, serving: Bool) {
        if !serving { self.serving = false }
        reapEndedWorkers(pollSet, firstSlot: slot)
        guard self.serving else {
            if handedOver && now - stopsResent >= Self.handoverStopResend {
                stopsResent = now
                for worker in workers { try? worker.process.terminate() }
            }
            return
        }
        guard haltReason == nil else { return }
        killHungWorkers(now: now)
        manageWorkers(now: now)
        followReload(now: now)
    }

    /// SIGTTIN adds a worker, SIGTTOU removes one.
    func handle(signal: Int32) {
        switch signal {
        case SIGTTIN:
            guard target < Scoreboard.capacity else { return }
            target += 1
            maximum = min(max(maximum + 1, target), Scoreboard.capacity)
            context.log.note(ServerEvent("workers_added", .info, "SIGTTIN: \(target) workers", ["workers": .int(target)]))
        case SIGTTOU:
            guard target > 1 else { return }
            target -= 1
            maximum -= 1
            context.log.note(ServerEvent("workers_removed", .info, "SIGTTOU: \(target) workers", ["workers": .int(target)]))
        default:
            break
        }
    }

    func reload(at now: MonotonicInstant) {
        requestReload(at: now)
    }

    /// Has the workers drain the listener: it drops new connections and stops waiting
    /// (O_NONBLOCK, on the socket every worker shares), and every worker, after its
    /// connection, serves what is queued, and the first to find the queue empty shuts the
    /// listener down (`PreforkWorker`). When `handedOver`, closes only this process's
    /// descriptor, and the workers just leave.
    func stopAccepting(handedOver: Bool, at now: MonotonicInstant) {
        serving = false
        self.handedOver = handedOver
        if handedOver || listenerShared {
            closeListener()
        } else if let scoreboard {
            for worker in workers { scoreboard.setListenerDuty(.drain, at: worker.slot) }
            _ = pc_listener_drop_new_connections(context.listener.rawDescriptor)
            try? context.listener.setNonBlocking(true)
        }
        stopsResent = now
        for worker in workers { try? worker.process.terminate() }
    }

    func shareListener(_ shared: Bool) {
        listenerShared = shared
        guard let scoreboard else { return }
        for worker in workers { scoreboard.setListenerDuty(shared ? .shared : .drainWhenOrphaned, at: worker.slot) }
    }

    /// SIGKILLs every worker still there, with its program, and reaps them all.
    func stopNow() {
        serving = false
        closeListener()
        // None of them is reaped yet: each group is still its worker's own.
        for worker in workers {
            var ended = false
            if let pid = worker.process.pid, pc_has_ended(pid, &ended) == 0, !ended, !worker.timedOut,
                scoreboard?.state(of: worker.slot) == .busy {
                // Killing an idle worker cuts no connection: only busy ones are counted.
                summary.childrenKilled += 1
            }
            killGroup(of: worker)
        }
        for worker in workers {
            try? worker.process.join()
            workerEnded(worker, exitCode: worker.process.exitCode ?? -SIGKILL)
        }
        workers.removeAll()
    }

    // MARK: - The pool

    /// Whether workers that end are replaced: serving, and not halted.
    private var keepsPool: Bool { serving && haltReason == nil }

    private var pool: Int { workers.reduce(0) { $0 + (inPool($1) ? 1 : 0) } }

    /// Whether `worker` counts in the pool: it belongs to the current generation and has
    /// not been told to leave. (An older generation serves on until the new one accepts.)
    private func inPool(_ worker: Worker) -> Bool {
        !worker.leaving && worker.generation == generation
    }

    // MARK: - Reload

    /// SIGHUP: starts a new generation, or queues one reload behind the one under way.
    private func requestReload(at now: MonotonicInstant) {
        guard serving else {
            context.log.note(ServerEvent("reload_ignored", .info, "reload (SIGHUP) ignored: the server is stopping"))
            return
        }
        guard reload == nil else {
            context.log.note(ServerEvent(
                "reload_queued", .info,
                reloadQueued ? "reload (SIGHUP): one is already queued; this one joins it" : "reload (SIGHUP): one is under way; queued"))
            reloadQueued = true
            return
        }
        guard workers.count + target <= Scoreboard.capacity else {
            context.log.now(ServerEvent(
                "reload_ignored", .warning,
                "reload (SIGHUP) ignored: \(target) new workers beside the \(workers.count) running would not fit on the scoreboard (\(Scoreboard.capacity) slots)",
                ["workers": .int(target), "running": .int(workers.count), "slots": .int(Scoreboard.capacity)]))
            return
        }
        generation += 1
        reload = Reload(started: now)
        context.lifecycle.reloading()
        context.log.note(ServerEvent(
            "reloading", .info, "reload (SIGHUP): starting generation \(generation) of \(target) workers",
            ["generation": .int(generation), "workers": .int(target)]))
        // manageWorkers forks the new generation: the pool counts it alone.
    }

    /// Moves a reload on: once every worker of the new generation accepts, the older
    /// ones are told to leave (each after its connection); once they are gone, it is over.
    private func followReload(now: MonotonicInstant) {
        guard var current = reload, let scoreboard else { return }
        if !current.oldToldToLeave {
            let fresh = workers.filter(inPool)
            let booted = fresh.filter { [.idle, .busy].contains(scoreboard.state(of: $0.slot)) }.count
            guard fresh.count >= target, booted >= target else { return }
            current.oldToldToLeave = true
            reload = current
            for index in workers.indices where workers[index].generation < generation && !workers[index].leaving {
                stop(workerAt: index, now: now, reason: "reload, generation \(generation) serves")
            }
        }
        guard !workers.contains(where: { $0.generation < generation }) else { return }
        reload = nil
        context.lifecycle.reloaded()
        let elapsedMs = (now - current.started).roundedUpMilliseconds
        context.log.note(ServerEvent(
            "reloaded", .info, "reload: generation \(generation) serves alone after \(elapsedMs) ms",
            ["generation": .int(generation), "elapsed_ms": .int(Int(elapsedMs))]))
        if reloadQueued {
            reloadQueued = false
            requestReload(at: now)
        }
    }

    /// Gives a reload up before the old generation was told to leave: the new one's
    /// workers go, and the old one is the pool again.
    private func abandonReload(because reason: String) {
        let failed = generation
        let now = MonotonicInstant.now
        for index in workers.indices where workers[index].generation == failed && !workers[index].leaving {
            stop(workerAt: index, now: now, reason: "reload abandoned")
        }
        generation -= 1
        reload = nil
        reloadQueued = false
        context.lifecycle.reloaded()
        context.log.now(ServerEvent(
            "reload_failed", .error, "reload failed: \(reason); generation \(generation) serves on",
            ["reason": .string(reason), "generation": .int(generation)]))
    }

    /// Reaps every worker that has ended, logs how, and follows the crash-loop guard.
    /// Whatever a worker started (its program, and what that started) is killed first.
    private func reapEndedWorkers(_ pollSet: PollSet, firstSlot: Int) {
        var index = workers.count - 1
        while index >= 0 {
            let worker = workers[index]
            let pollIndex = firstSlot + index
            let looked = worker.process.rawProcessDescriptor == nil
                || (pollIndex < pollSet.count && pollSet[pollIndex].revents != 0)
            if looked, let pid = worker.process.pid {
                var ended = false
                let result = pc_has_ended(pid, &ended)
                // Not yet reaped: its group is still its own (see killGroup).
                if result == 0 && ended { killGroup(of: worker) }
                if result != 0 || ended, let code = worker.process.exitCode {
                    workers.remove(at: index)
                    workerEnded(worker, exitCode: code)
                }
            }
            index -= 1
        }
    }

    /// SIGKILLs `worker` with its process group: the program it runs for a connection and
    /// whatever that started, which must not outlive it (a worker killed from outside, by
    /// an operator or the OOM killer, would leave its program serving on under init).
    /// The worker leads its group (`PreforkWorker`), whose id is its pid; called before
    /// the worker is reaped only, while the kernel keeps that pid, and so the group's id,
    /// from any other process.
    private func killGroup(of worker: Worker) {
        guard let pid = worker.process.pid else { return }
        _ = pc_kill_process_group(pid, worker.process.rawProcessDescriptor ?? -1)
    }

    private func workerEnded(_ worker: Worker, exitCode code: Int32) {
        guard let scoreboard else { return }
        let slot = scoreboard[worker.slot]
        let state = scoreboard.state(of: worker.slot)
        let served = Int(pc_slot_served(slot))
        summary.connectionsServed += served + (state == .busy ? 1 : 0)
        scoreboard.record(.free, served: 0, at: worker.slot)
        let pid = worker.process.pid ?? 0
        let causedByMaster = worker.leaving || worker.timedOut || !keepsPool
        let abnormal = code != 0 && !causedByMaster
        if state == .recycling {
            context.log.note(ServerEvent("worker_recycled", .info, "worker \(pid) recycled after \(served) connections", ["pid": .pid(pid), "served": .int(served)]))
        } else if abnormal || worker.timedOut {
            context.log.now(Self.workerExited(pid, code, served: served, level: .error, "worker \(pid) \(Self.describe(code)) after \(served) connections"))
        } else {
            context.log.note(Self.workerExited(pid, code, served: served, level: .info, "worker \(pid) \(Self.describe(code))"))
        }
        guard keepsPool, !worker.leaving else { return }
        // A new generation that cannot start must not replace, or halt, one that serves.
        if state == .starting, worker.generation == generation, let current = reload, !current.oldToldToLeave {
            abandonReload(because: "worker \(pid) of generation \(generation) could not start")
            return
        }
        restarts.count(recycled: state == .recycling, timedOut: worker.timedOut, exitCode: code)
        let now = MonotonicInstant.now
        let lifetime = now - worker.started
        switch crashGuard.workerEnded(booted: state != .starting, abnormal: abnormal, lifetime: lifetime) {
        case .respawn:
            break
        case .respawnAfter(let delay):
            spawnNotBefore = max(spawnNotBefore, now + delay)
            context.log.now(ServerEvent(
                "backoff", .warning, "workers are dying at start (\(crashGuard.earlyDeathsInARow) in a row): next one in \(delay.secondsText) s",
                ["in_a_row": .int(crashGuard.earlyDeathsInARow), "delay_s": .seconds(delay)]))
        case .halt:
            haltReason = "\(crashGuard.bootFailuresInARow) workers in a row could not start"
        }
    }

    /// The worker timeout (`PreforkOptions.workerTimeout`): SIGKILLs a busy worker that has made no progress for that long
    /// and does not wait for its client (see `ProgressWatch`). Looks ten times per timeout,
    /// so that a hung worker is killed within a tenth of it past the timeout; only a
    /// suspect costs more than one /proc read per process.
    private func killHungWorkers(now: MonotonicInstant) {
        guard let timeout = options.workerTimeout, let scoreboard, now >= nextProgressCheck else { return }
        nextProgressCheck = now + min(Self.tick, max(.milliseconds(10), timeout / 10))
        for index in workers.indices where !workers[index].timedOut {
            let slot = workers[index].slot
            workers[index].progress?.observe(slotChange: scoreboard.lastChange(of: slot))
            guard scoreboard.state(of: slot) == .busy, let pid = workers[index].process.pid else { continue }
            var ioCalls: UInt64 = 0
            guard pc_process_tree_io_calls(pid, &ioCalls) == 0,
                workers[index].progress?.observe(ioCalls: ioCalls, now: now) == true else { continue }
            var waiting = false
            if pc_process_tree_waits_on_socket(pid, pc_slot_connection(scoreboard[slot]), &waiting) == 0, waiting {
                workers[index].progress?.sawWaitingForClient(now: now)
                continue
            }
            workers[index].timedOut = true
            // With its program, if it runs one: an orphan would spin on.
            killGroup(of: workers[index])
            summary.childrenKilled += 1
            context.log.now(ServerEvent(
                "worker_timed_out", .error, "worker \(pid) timed out: no progress for \(timeout.secondsText) s; killed",
                ["pid": .pid(pid), "timeout_s": .seconds(timeout)]))
        }
    }

    /// Keeps the pool at its size: replaces missing workers (after any backoff), forks
    /// extra ones while every worker is busy, and lets workers go when there are too many.
    private func manageWorkers(now: MonotonicInstant) {
        guard let scoreboard else { return }
        // spawnWorker fails only without a free slot or after a failed fork, which
        // postpones the next attempt.
        while pool < target && now >= spawnNotBefore && spawnWorker(now: now) {}
        if now >= nextTick {
            nextTick = now + Self.tick
            if maximum > target {
                let idle = workers.filter { inPool($0) && [.idle, .starting].contains(scoreboard.state(of: $0.slot)) }.count
                var extra = ramp.workersToFork(live: pool, idle: idle, maximum: maximum)
                while extra > 0 && spawnWorker(now: now) { extra -= 1 }
                let idleSince = workers.indices.compactMap { index -> (key: Int, since: MonotonicInstant)? in
                    let worker = workers[index]
                    guard inPool(worker), scoreboard.state(of: worker.slot) == .idle else { return nil }
                    return (index, scoreboard.lastChange(of: worker.slot))
                }
                if let index = ramp.workerToRetire(live: pool, minimum: target, idleSince: idleSince, now: now) {
                    stop(workerAt: index, now: now, reason: "idle for \(ramp.idleExit.secondsText) s")
                }
            }
            resendStops(now: now)
        }
        // Past the ceiling (after SIGTTOU): idle workers first, then the newest, which
        // leaves after its connection.
        while pool > maximum {
            let candidates = workers.indices.filter { inPool(workers[$0]) }
            let index = candidates.first { scoreboard.state(of: workers[$0].slot) == .idle } ?? candidates.last!
            stop(workerAt: index, now: now, reason: "the pool shrinks to \(maximum)")
        }
    }

    /// Forks one worker into a free slot; false when it could not.
    private func spawnWorker(now: MonotonicInstant) -> Bool {
        guard let scoreboard else { return false }
        let used = Set(workers.map(\.slot))
        guard let slot = (0..<Scoreboard.capacity).first(where: { !used.contains($0) }) else { return false }
        let budget = workerBudget()
        pc_slot_assign(scoreboard[slot], 0, budget)
        scoreboard.setListenerDuty(listenerShared ? .shared : .drainWhenOrphaned, at: slot)
        scoreboard.record(.starting, served: 0, at: slot)
        let worker = PreforkWorker(listener: context.listener, scoreboard: scoreboard, slot: slot, master: master, service: context.service, startup: options.workerStartup)
        // The master runs one thread: the thread check is skipped.
        let process = ChildProcess(name: "worker", threadPolicy: .allow) { [operations = context.operations] in
            operations.closeInChild()
            let code = worker.run()
            if code != 0 { throw ChildProcess.Exit(code) }
        }
        do {
            try process.start()
        } catch {
            scoreboard.record(.free, served: 0, at: slot)
            spawnNotBefore = now + Self.forkFailurePause
            context.log.now(ServerEvent(
                "fork_failed", .error, "\(context.log.prefix)cannot fork a worker: \(error); trying again in \(Self.forkFailurePause.secondsText) s", ["error": .string("\(error)"), "retry_s": .int(1)]))
            return false
        }
        // As the worker does itself: its group exists from here on, whoever runs first.
        if let pid = process.pid { _ = pc_lead_process_group(pid) }
        pc_slot_assign(scoreboard[slot], process.pid ?? 0, budget)
        let progress = options.workerTimeout.map { ProgressWatch(timeout: $0, started: now) }
        workers.append(Worker(process: process, slot: slot, generation: generation, started: now, progress: progress))
        context.log.note(ServerEvent(
            "worker_spawned", .info, "worker \(process.pid ?? 0) spawned", ["pid": .pid(process.pid ?? 0), "generation": .int(generation)]))
        return true
    }

    /// The connections after which a new worker recycles itself (0: never):
    /// `maxRequests` plus a random 0...`maxRequestsJitter`, so that workers started
    /// together do not all leave together.
    private func workerBudget() -> UInt64 {
        guard let maxRequests = options.maxRequests, maxRequests > 0 else { return 0 }
        let jitter = options.maxRequestsJitter > 0 ? Int.random(in: 0...options.maxRequestsJitter) : 0
        return UInt64(maxRequests + jitter)
    }

    /// Tells a worker to leave after its current connection (at once when idle).
    private func stop(workerAt index: Int, now: MonotonicInstant, reason: String) {
        workers[index].leaving = true
        workers[index].stopSent = now
        try? workers[index].process.terminate()
        let pid = workers[index].process.pid ?? 0
        context.log.note(ServerEvent("worker_stopping", .info, "worker \(pid) stopping: \(reason)", ["pid": .pid(pid), "reason": .string(reason)]))
    }

    /// A SIGTERM that lands between a worker's look at its flag and its accept is missed
    /// until the next connection: a worker that should have left is told again each tick.
    private func resendStops(now: MonotonicInstant) {
        for index in workers.indices where workers[index].leaving && now - workers[index].stopSent >= Self.tick {
            workers[index].stopSent = now
            try? workers[index].process.terminate()
        }
    }

    /// Shuts the shared listener down, which every worker holds too: each accept blocked
    /// on it returns EINVAL at once, a busy worker finds it shut when it comes back, and
    /// new connections are refused (after a drain, its queue is empty by then).
    /// While another master holds it (after a handover, during an upgrade), only this
    /// process's descriptor is closed: the socket is that master's too.
    private func closeListener() {
        guard listenerOpen else { return }
        listenerOpen = false
        if !handedOver && !listenerShared { _ = pc_listener_stop_accepting(context.listener.rawDescriptor) }
        context.listener.close()
    }

    // MARK: - Metrics

    /// The figures of `/metrics` and STATUS=, from the scoreboard and the master's own count.
    func metrics() -> ServerMetrics {
        var metrics = ServerMetrics(model: "prefork", connectionsTotal: summary.connectionsServed)
        var counts = ServerMetrics.Workers()
        if let scoreboard {
            for worker in workers {
                let state = scoreboard.state(of: worker.slot)
                // As `workerEnded` counts them: the finished ones, and the one being served.
                metrics.connectionsTotal += Int(pc_slot_served(scoreboard[worker.slot])) + (state == .busy ? 1 : 0)
                switch state {
                case .idle: counts.idle += 1
                case .busy: counts.busy += 1
                case .starting: counts.starting += 1
                default: break
                }
            }
        }
        metrics.connectionsActive = counts.busy
        metrics.workers = counts
        metrics.workerRestarts = restarts
        return metrics
    }

    // MARK: - Helpers

    private static func describe(_ code: Int32) -> String {
        code < 0 ? "killed by signal \(-code)" : "exited with code \(code)"
    }

    /// `worker_exited`, with `exit_code`, or `signal` for -N.
    private static func workerExited(_ pid: pid_t, _ code: Int32, served: Int, level: ServerLogLevel, _ message: String) -> ServerEvent {
        if code < 0 {
            return ServerEvent("worker_exited", level, message, ["pid": .pid(pid), "signal": .int(Int(-code)), "served": .int(served)])
        }
        return ServerEvent("worker_exited", level, message, ["pid": .pid(pid), "exit_code": .int(Int(code)), "served": .int(served)])
    }
}
