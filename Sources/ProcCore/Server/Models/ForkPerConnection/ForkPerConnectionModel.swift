import CProcShim

import Glibc

/// The fork-per-connection model (`ServerModel.forkPerConnection`), the seed's, made
/// production-grade, as a `ServingModel` of the `MasterLoop`.
///
/// Its poll slots: the non-blocking listener, then the pidfd of every live child, which
/// becomes readable when that child ends, so each child is reaped as soon as it exits
/// without waitpid(-1) and without scanning the others; while connections keep coming,
/// the pidfds are polled again (without waiting) every few accepts, so that ended
/// children are reaped during a burst rather than piling up to the limit. Each connection
/// is served by a forked `ChildProcess` that closes the listener and runs the
/// `ConnectionService`, or, for a program, by the program spawned straight from here (no
/// fork of this process); the parent closes its copy of the connection right after. At
/// `maxChildren` live children the listener leaves the poll set and new connections wait
/// in the kernel's backlog. SIGHUP has nothing to restart. When the drain begins the
/// listener drops new connections, and the master accepts what is queued on it (a child
/// each) until it finds the queue empty, then closes it: no queued connection is reset.
///
/// The parent forks at every connection, so every page it writes between two forks
/// faults and is copied while a child lives: its poll slots, children and log live in
/// parent-only memory, and its state has no run-time exclusivity checks (README, "What
/// a fork costs").
final class ForkPerConnectionModel: ServingModel {
    /// How long accepting pauses after a failed accept or fork (EMFILE, EAGAIN, ENOMEM).
    private static let acceptPause: Duration = .milliseconds(100)
    /// How many connections a burst accepts between two reaps: at most this many ended
    /// children wait for the loop's poll, and the poll of every pidfd is paid once per as
    /// many forks (at every accept, it cost about 3% of connections/s).
    private static let acceptsBetweenReaps = 8
    /// How often children without a pidfd are checked.
    private static let unwatchedCheck: Duration = .milliseconds(50)

    /// The listener, the service, the log, the operations and the lifecycle.
    private let context: ServingContext
    private let maxChildren: Int

    // The model's state is used by the master's one thread only, never across an access:
    // the run-time exclusivity checks are left out, since each wrote a thread-local page
    // that the next fork made the parent copy (perf record -e page-faults).
    /// Children watched through their pidfd, in the order of their poll slots.
    private let children: ChildList
    /// Children without a pidfd (no pidfd_open, or EMFILE): checked on a timer.
    @exclusivity(unchecked) private var unwatched: [ChildProcess] = []
    @exclusivity(unchecked) private(set) var summary = ServerSummary()
    /// The connection's descriptor, and its peer, that the child being started serves; nil
    /// outside `serve`. The child makes its own `SocketConnection` of its copy of the descriptor.
    @exclusivity(unchecked) private var connectionForChild: (descriptor: Int32, peer: SocketAddress)?
    @exclusivity(unchecked) private var acceptPausedUntil: MonotonicInstant?
    @exclusivity(unchecked) private var limitReported = false
    /// Whether the listener is in the poll set: not at the limit, not paused, not draining.
    @exclusivity(unchecked) private var listening = true
    @exclusivity(unchecked) private var listenerOpen = true
    /// The drain has begun and the listener's queue is not yet known to be empty.
    @exclusivity(unchecked) private var drainingQueue = false
    /// Another master (a binary upgrade's) holds the listener: the drain only closes ours.
    @exclusivity(unchecked) private var listenerShared = false

    /// Serves the context's listener with at most `maxChildren` children at once.
    init(context: ServingContext, maxChildren: Int) {
        self.context = context
        self.maxChildren = maxChildren
        children = ChildList(capacity: maxChildren)
    }

    /// The listener's slot, then one per child.
    var pollCapacity: Int { 1 + maxChildren }
    var ownSignals: [Int32] { [] }
    /// At once: the listener accepts from the start.
    var isServing: Bool { true }
    var haltReason: String? { nil }
    var isFinished: Bool { liveChildren == 0 && !drainingQueue }
    var liveWork: LiveWork { LiveWork(count: liveChildren, noun: "live connections", field: "live_connections") }

    /// The number of live children.
    private var liveChildren: Int { children.count + unwatched.count }

    func start(at now: MonotonicInstant) throws(ProcessError) {
        // The server sets no disposition after init (SIGPIPE ignored, its signals to the
        // pipe): its children reset those only, not all 62 signals (about 15 µs of
        // sigaction calls per connection).
        _ = pc_fork_reset_changed_signals_only()
        try context.listener.setNonBlocking()
        // Every fork copies a page-table entry for each page of the executable's data
        // segment that startup read (hundreds, in a static Swift binary) and the child's
        // exit tears it down again; the loop uses a few dozen. Dropping the unwritten ones
        // here leaves the loop to map back what it reads. Skipped when the process runs
        // other threads (the shim refuses then).
        var dropped = 0
        _ = pc_drop_unwritten_file_pages(&dropped)
    }

    /// The listener's slot (-1 while not `listening`); the children's slots follow it,
    /// added and removed with them.
    func preparePoll(_ pollSet: PollSet, from slot: Int) {
        if pollSet.count == slot { pollSet.append(pollfd(fd: -1, events: Int16(POLLIN), revents: 0)) }
        pollSet[slot].fd = listening ? context.listener.rawDescriptor : -1
    }

    func nextDeadline(after now: MonotonicInstant) -> MonotonicInstant? {
        // While draining, an empty queue wakes no poll: look at once.
        if drainingQueue && listening { return now }
        let check = unwatched.isEmpty ? nil : now + Self.unwatchedCheck
        guard let acceptPausedUntil else { return check }
        return min(check ?? acceptPausedUntil, acceptPausedUntil)
    }

    func handleEvents(_ pollSet: PollSet, from slot: Int, at now: MonotonicInstant, serving: Bool) {
        reapEndedChildren(pollSet, firstChildSlot: slot + 1)
        if drainingQueue {
            drainQueue(pollSet, firstChildSlot: slot + 1)
            return
        }
        guard serving else { return }
        if pollSet[slot].revents != 0 { _ = acceptConnections(pollSet, firstChildSlot: slot + 1) }
        updateAccepting()
    }

    func handle(signal: Int32) {}

    func reload(at now: MonotonicInstant) {
        // Nothing to restart: each connection's child already runs the code as it is, and
        // the listener stays as it is.
        context.lifecycle.reloading()
        context.log.note(ServerEvent(
            "reloading", .info, "reload (SIGHUP): fork per connection keeps its \(liveChildren) live children as they are; nothing to restart",
            ["live_children": .int(liveChildren)]))
        context.lifecycle.reloaded()
    }

    func shareListener(_ shared: Bool) {
        listenerShared = shared
    }

    /// Has the listener drop new connections; the loop's next turns accept what is queued
    /// (`drainQueue`), then close it. When `handedOver`, closes this process's descriptor
    /// at once: the new master serves from the socket.
    func stopAccepting(handedOver: Bool, at now: MonotonicInstant) {
        guard listenerOpen else { return }
        if handedOver || listenerShared {
            closeListener()
            return
        }
        _ = pc_listener_drop_new_connections(context.listener.rawDescriptor)
        drainingQueue = true
        updateAccepting()
    }

    /// SIGKILLs every live child (a program with its process group) and reaps them all.
    func stopNow() {
        var programs = false
        if case .program = context.service.work { programs = true }
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
        closeListener()
    }

    func metrics() -> ServerMetrics {
        ServerMetrics(model: "forkPerConnection", connectionsTotal: summary.connectionsServed, connectionsActive: liveChildren)
    }

    // MARK: - Children

    /// Reaps every child whose pidfd says it ended, and checks those without a pidfd.
    private func reapEndedChildren(_ pollSet: PollSet, firstChildSlot: Int) {
        var index = children.count - 1
        while index >= 0 {
            if pollSet[firstChildSlot + index].revents != 0 {
                let child = children[index]
                if child.exitCode != nil {
                    childEnded(child)
                    // The last child moves into its place, as its poll slot does.
                    children.swapRemove(at: index)
                    pollSet.swapRemove(at: firstChildSlot + index)
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

    private func childEnded(_ child: ChildProcess) {
        context.log.record(ChildExitEvent(pid: child.pid ?? 0, exitCode: child.exitCode ?? 0))
    }

    // MARK: - Accepting

    /// Accepts what is queued while the listener drops new connections: once the queue is
    /// found empty nothing more can come, and closing the listener resets nothing.
    private func drainQueue(_ pollSet: PollSet, firstChildSlot: Int) {
        updateAccepting()
        guard listening, acceptConnections(pollSet, firstChildSlot: firstChildSlot) else { return }
        drainingQueue = false
        closeListener()
    }

    /// Closes this process's listener (after a handover, the new master's copy stays open).
    private func closeListener() {
        listening = false
        guard listenerOpen else { return }
        listenerOpen = false
        context.listener.close()
    }

    /// Accepts every queued connection, up to the limit of live children; true when it
    /// found the queue empty. Every
    /// `acceptsBetweenReaps` accepts, children that have ended meanwhile are reaped: while clients keep
    /// connecting the loop may not go back to its poll for long, and live children must
    /// stay near the real concurrency, not climb to the limit as zombies.
    private func acceptConnections(_ pollSet: PollSet, firstChildSlot: Int) -> Bool {
        var served = 0
        while liveChildren < maxChildren {
            if served > 0 && served % Self.acceptsBetweenReaps == 0 { reapBetweenAccepts(pollSet, firstChildSlot: firstChildSlot) }
            let accepted: AcceptedConnection?
            do {
                accepted = try context.listener.acceptWithPeer()
            } catch {
                // EMFILE, ENFILE, ENOBUFS...: the listener stays readable, so pause
                // instead of spinning; the connection waits in the backlog meanwhile.
                context.log.now(ServerEvent(
                    "accept_paused", .warning, "\(error); pausing accept for \(Self.acceptPause.roundedUpMilliseconds) ms",
                    ["error": .string("\(error)"), "pause_ms": .int(Int(Self.acceptPause.roundedUpMilliseconds))]))
                acceptPausedUntil = .now + Self.acceptPause
                return false
            }
            guard let accepted else { return true }
            let peer = accepted.peer
            serve(accepted.connection, peer: peer, pollSet: pollSet)
            served += 1
        }
        return false
    }

    /// Polls the children's pidfds without waiting, then reaps those that ended.
    private func reapBetweenAccepts(_ pollSet: PollSet, firstChildSlot: Int) {
        guard children.count > 0 || !unwatched.isEmpty else { return }
        if children.count > 0 && pollSet.pollWithoutWaiting(from: firstChildSlot) != 0 { return }
        reapEndedChildren(pollSet, firstChildSlot: firstChildSlot)
    }

    private func serve(_ connection: consuming SocketConnection, peer: SocketAddress, pollSet: PollSet) {
        let child: ChildProcess
        do {
            child = try startChild(serving: connection, peer: peer)
        } catch {
            connection.close()
            context.log.now(ServerEvent("fork_failed", .error, "cannot serve \(peer): \(error)", ["peer": .string("\(peer)"), "error": .string("\(error)")]))
            acceptPausedUntil = .now + Self.acceptPause
            return
        }
        connection.close()
        summary.connectionsServed += 1
        if let pidfd = child.rawProcessDescriptor {
            children.append(child)
            pollSet.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0))
        } else {
            unwatched.append(child)
        }
        // With the PROXY protocol, the child knows the peer and writes the line.
        if context.service.proxyHeaders == nil { context.log.record(ConnectionEvent(peer: peer, pid: child.pid ?? 0)) }
    }

    /// Forks a child that serves `connection`, or spawns the program on it (not with the
    /// PROXY protocol: the header is read first, by a child, not by this loop).
    private func startChild(serving connection: borrowing SocketConnection, peer: SocketAddress) throws(ProcessError) -> ChildProcess {
        if case .program(let spawner) = context.service.work, context.service.proxyHeaders == nil {
            return try spawner.start(on: connection, peer: peer, idleTimeout: context.service.idleTimeout)
        }
        // The closure captures only `self`, which then is its context: a closure that
        // captured the connection would cost an allocation per connection, and the heap
        // page it lands on a copy at the next fork.
        connectionForChild = (connection.rawDescriptor, peer)
        defer { connectionForChild = nil }
        // The server runs one thread, so the per-start thread count check is skipped.
        let child = ChildProcess(name: "connection", threadPolicy: .allow) { [self] in try serveInChild() }
        try child.start()
        return child
    }

    /// What a connection's child does: close the listener and serve until the end.
    private func serveInChild() throws {
        context.listener.close()
        context.operations.closeInChild()
        // Ctrl-C or a hangup in a terminal signals the whole process group: the server
        // decides when its children end (after the grace, never at a reload), not the terminal.
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        guard let (descriptor, peer) = connectionForChild else { throw ChildProcess.Exit(1) }
        // A program started after the PROXY header joins this child's own group, which
        // `stopNow` kills as it kills a program's.
        var programJoinsGroup = false
        if case .program = context.service.work { programJoinsGroup = pc_lead_process_group(0) == 0 }
        let code = context.service.serve(
            SocketConnection(adopting: descriptor), peer: peer, programJoinsGroup: programJoinsGroup, logsConnection: context.service.proxyHeaders != nil)
        if code != 0 { throw ChildProcess.Exit(code) }
    }

    /// Puts the listener in or out of the poll set: out at the limit of live children
    /// (connections wait in the backlog) and while accepting is paused.
    private func updateAccepting() {
        if let paused = acceptPausedUntil, MonotonicInstant.now >= paused { acceptPausedUntil = nil }
        let atLimit = liveChildren >= maxChildren
        if atLimit && !limitReported && !context.log.quiet {
            context.log.now(ServerEvent(
                "limit_reached", .warning, "limit reached: \(liveChildren) live children; new connections wait in the backlog",
                ["live_children": .int(liveChildren)]))
        }
        limitReported = atLimit
        listening = listenerOpen && !atLimit && acceptPausedUntil == nil
    }
}
