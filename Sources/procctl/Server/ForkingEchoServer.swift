import CProcShim
import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// The seed's fork-per-connection upper-casing echo server, made production-grade.
///
/// One thread, one poll loop over three kinds of descriptor: the signal pipe (SIGTERM,
/// SIGINT), the non-blocking listener, and the pidfd of every live child, which becomes
/// readable when that child ends, so each child is reaped as soon as it exits without
/// waitpid(-1) and without scanning the others. Each connection is served by a forked
/// `ChildProcess` that closes the listener; the parent closes its copy of the connection
/// right after the fork. At `maxChildren` live children the listener leaves the poll set
/// and new connections wait in the kernel's backlog.
final class ForkingEchoServer {
    /// What the server listens on and how it treats its children.
    struct Configuration {
        var host = "127.0.0.1"
        var port = 8080
        var backlog = 128
        var maxChildren = 256
        /// How long a connection may stay idle; nil: for ever.
        var idleTimeout: Duration? = .seconds(300)
        /// How long live connections may go on after SIGTERM or SIGINT.
        var grace: Duration = .seconds(10)
        /// Log errors only.
        var quiet = false
    }

    /// What the server did, for the shutdown line.
    struct Summary {
        var connectionsServed = 0
        var childrenKilled = 0
    }

    /// Slot of the signal pipe in `pollSet`.
    private static let signalSlot = 0
    /// Slot of the listener in `pollSet`; its fd is -1 while the server does not accept.
    private static let listenerSlot = 1
    /// Slot of the first child's pidfd in `pollSet`: children[i] is watched at slot i + 2.
    private static let firstChildSlot = 2
    /// How long accepting pauses after a failed accept or fork (EMFILE, EAGAIN, ENOMEM).
    private static let acceptPauseMilliseconds: Int64 = 100
    /// How often children without a pidfd are checked.
    private static let unwatchedCheckMilliseconds: Int32 = 50

    let configuration: Configuration
    let listener: TCPListener

    // The server's state is used by its one thread only, never across an access: the
    // run-time exclusivity checks are left out, since each wrote a thread-local page
    // that the next fork made the parent copy (perf record -e page-faults).
    private let pollSet: PollSet
    /// Every child's echo buffer (see `EchoSession.buffer`); the parent never uses it.
    private let sessionBuffer: UnsafeMutableRawBufferPointer
    /// Children watched through their pidfd, in the order of their poll slots.
    private let children: ChildList
    /// Children without a pidfd (no pidfd_open, or EMFILE): checked on a timer.
    @exclusivity(unchecked) private var unwatched: [ChildProcess] = []
    @exclusivity(unchecked) private var summary = Summary()
    /// The connection that the child being started serves; nil outside `serve`.
    @exclusivity(unchecked) private var connectionForChild: TCPConnection?
    /// SIGTERM and SIGINT, as bytes for the poll loop.
    private let signals: SignalPipe
    /// The per-connection lines, written in one go each time the loop waits.
    private let log = ServerLog()
    @exclusivity(unchecked) private var acceptPausedUntilMs: Int64 = 0
    @exclusivity(unchecked) private var limitReported = false
    @exclusivity(unchecked) private var stopRequested = false

    /// Listens, and routes SIGTERM and SIGINT to the poll loop. Throws when the address
    /// cannot be listened on (errno EADDRINUSE, EADDRNOTAVAIL, EACCES...).
    init(configuration: Configuration) throws(ProcessError) {
        self.configuration = configuration
        let result = pc_ignore_sigpipe()
        if result != 0 { throw .systemCall("sigaction", result) }
        signals = try SignalPipe.install(catching: [SIGTERM, SIGINT])
        listener = try TCPListener(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        try listener.setNonBlocking()
        // Children come and go at connection rate: no reallocation on that path.
        pollSet = PollSet(capacity: Self.firstChildSlot + configuration.maxChildren)
        pollSet.append(pollfd(fd: signals.descriptor.rawValue, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0))
        children = ChildList(capacity: configuration.maxChildren)
        // Page-aligned: a short message touches one page of it in the child.
        sessionBuffer = .allocate(byteCount: EchoSession.bufferSize, alignment: 4096)
    }

    deinit {
        sessionBuffer.deallocate()
    }

    /// The number of live children.
    var liveChildren: Int { children.count + unwatched.count }

    /// Serves until SIGTERM or SIGINT, then drains: closes the listener, lets live
    /// connections go on for up to `grace`, SIGKILLs the rest and reaps every child.
    func run() -> Summary {
        // The server sets no disposition after init (SIGPIPE ignored, SIGTERM and SIGINT
        // to the pipe): its children reset those only, not all 62 signals (about
        // 15 µs of sigaction calls per connection).
        _ = pc_fork_reset_changed_signals_only()
        while !stopRequested {
            waitForEvents(timeoutMs: loopTimeout())
            handleSignals()
            reapEndedChildren()
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
        return timeout
    }

    private func waitForEvents(timeoutMs: Int32) {
        log.flush()
        let result = pollSet.poll(timeoutMs: timeoutMs)
        if result != 0 {
            // Only EINVAL/ENOMEM are possible here; don't spin on them.
            logNow("procctl: poll: \(ProcessError.systemCall("poll", result))")
            Terminal.sleep(seconds: 0.1)
            pollSet.clearEvents()
        }
    }

    private func handleSignals() {
        guard pollSet[Self.signalSlot].revents != 0 else { return }
        // Only SIGTERM and SIGINT are routed to the pipe.
        if !signals.drain().isEmpty { stopRequested = true }
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
        if !configuration.quiet {
            log.line {
                $0.append("child ")
                $0.append(child.pid ?? 0)
                $0.append(" exited with code ")
                $0.append(child.exitCode ?? 0)
            }
        }
    }

    /// Accepts every queued connection, up to the limit of live children.
    private func acceptConnections() {
        while liveChildren < configuration.maxChildren {
            let accepted: (connection: TCPConnection, peer: String)?
            do {
                if configuration.quiet {
                    accepted = try listener.accept().map { ($0, "") }
                } else {
                    accepted = try listener.acceptWithPeer()
                }
            } catch {
                // EMFILE, ENFILE, ENOBUFS...: the listener stays readable, so pause
                // instead of spinning; the connection waits in the backlog meanwhile.
                logNow("procctl: \(error); pausing accept for \(Self.acceptPauseMilliseconds) ms")
                acceptPausedUntilMs = Self.nowMs() + Self.acceptPauseMilliseconds
                return
            }
            guard let (connection, peer) = accepted else { return }
            serve(connection, peer: peer)
        }
    }

    private func serve(_ connection: TCPConnection, peer: String) {
        // The closure captures only `self`, which then is its context: a closure that
        // captured the connection would cost an allocation per connection, and the heap
        // page it lands on a copy at the next fork.
        connectionForChild = connection
        defer { connectionForChild = nil }
        // The server runs one thread, so the per-start thread count check is skipped.
        let child = ChildProcess(name: "connection", threadPolicy: .allow) { [self] in try serveInChild() }
        do {
            try child.start()
        } catch {
            connection.close()
            logNow("procctl: cannot serve \(peer.isEmpty ? "a connection" : peer): \(error)")
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
        if !configuration.quiet {
            log.line {
                $0.append("connection from ")
                $0.append(peer)
                $0.append(": child ")
                $0.append(child.pid ?? 0)
            }
        }
    }

    /// What a connection's child does: close the listener and echo until the end.
    private func serveInChild() throws {
        _ = pc_close(listener.descriptor)
        // Ctrl-C in a terminal signals the whole process group: the server decides
        // when its children end (after --grace), not the terminal.
        signal(SIGINT, SIG_IGN)
        guard let connection = connectionForChild else { throw ChildProcess.Exit(1) }
        let session = EchoSession(connection: connection, buffer: sessionBuffer, idleTimeout: configuration.idleTimeout, quiet: configuration.quiet)
        let code = session.run()
        if code != 0 { throw ChildProcess.Exit(code) }
    }

    /// Puts the listener in or out of the poll set: out at the limit of live children
    /// (connections wait in the backlog) and while accepting is paused.
    private func updateAccepting() {
        if acceptPausedUntilMs > 0 && Self.nowMs() >= acceptPausedUntilMs { acceptPausedUntilMs = 0 }
        let atLimit = liveChildren >= configuration.maxChildren
        if atLimit && !limitReported && !configuration.quiet {
            logNow("limit reached: \(liveChildren) live children; new connections wait in the backlog")
        }
        limitReported = atLimit
        let accepting = !atLimit && acceptPausedUntilMs == 0 && !stopRequested
        pollSet[Self.listenerSlot].fd = accepting ? listener.descriptor : -1
        pollSet[Self.listenerSlot].revents = 0
    }

    // MARK: - Shutdown

    private func drain() {
        listener.close()
        pollSet[Self.listenerSlot].fd = -1
        stopRequested = false
        if !configuration.quiet {
            logNow("shutting down: \(liveChildren) live connections, waiting up to \(configuration.grace.secondsText) s")
        }
        let deadline = Self.nowMs() + Int64(configuration.grace.roundedUpMilliseconds)
        while liveChildren > 0 && !stopRequested {
            let left = deadline - Self.nowMs()
            if left <= 0 { break }
            let timeout = unwatched.isEmpty ? left : min(left, Int64(Self.unwatchedCheckMilliseconds))
            waitForEvents(timeoutMs: Int32(clamping: timeout))
            // A second SIGTERM or SIGINT cuts the grace short.
            handleSignals()
            reapEndedChildren()
        }
        for child in children.all + unwatched where (try? child.isAlive) == true {
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

    /// Writes a rare line (errors, limit, shutdown) after the gathered ones, in order.
    private func logNow(_ line: String) {
        log.flush()
        Terminal.log(line)
    }

    // MARK: - Time

    private static func nowMs() -> Int64 {
        Int64(pc_monotonic_ns() / 1_000_000)
    }
}
