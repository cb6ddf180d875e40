import CProcShim

import Glibc

/// One prefork worker's life, in the forked process: accept a connection, serve it,
/// record it on the scoreboard, and again, until it must leave.
///
/// Workers wait in a blocking accept(2) on the listener they all share. Linux queues the
/// processes blocked there and wakes exactly one, the one that has waited longest, per
/// incoming connection (wake-one, FIFO): there is no thundering herd and the load spreads
/// evenly, with one system call per connection. (A poll-then-accept design would wake
/// every idle worker for each connection unless it used EPOLLEXCLUSIVE, and costs a
/// second system call.) A worker that must leave while it waits there (the pool
/// shrinks, the master has died) gets SIGTERM, whose handler only sets a flag and is
/// installed without SA_RESTART, so that the accept returns EINTR and the worker sees the
/// flag; when the server drains, the master shuts the listener down and every blocked
/// accept returns EINVAL at once. A worker looks at the flag only between connections:
/// it never leaves with an accepted connection unserved.
struct PreforkWorker {
    /// How long accepting pauses when the process is out of descriptors or memory.
    static let acceptPause: Duration = .milliseconds(100)

    let listener: SocketListener
    let scoreboard: Scoreboard
    let slot: Int
    /// The master's pid: the worker leaves as soon as it sees another parent.
    let master: pid_t
    let service: ConnectionService
    /// Run once before the first accept; a throw is a boot failure.
    let startup: (@Sendable () throws -> Void)?

    /// Serves until told to stop, recycled or the listener is shut down; returns the exit code.
    func run() -> Int32 {
        // A terminal's Ctrl-C, Ctrl-\, hangup and job-control signals reach the whole
        // process group, as do reload and upgrade sent to it: the master decides when
        // workers end, not the terminal. (Until the worker leads its own group in boot().)
        for groupSignal in [SIGINT, SIGQUIT, SIGHUP, SIGUSR2, SIGTTIN, SIGTTOU] { signal(groupSignal, SIG_IGN) }
        if let failure = boot() {
            service.log.fromAnyProcess(ServerEvent(
                "worker_start_failed", .error, "worker \(getpid()): cannot start: \(failure)",
                ["pid": .pid(getpid()), "error": .string("\(failure)")]))
            return 1
        }
        let budget = pc_slot_budget(scoreboard[slot])
        var served: UInt64 = 0
        scoreboard.record(.idle, served: served, at: slot)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { host in
            while !pc_stop_signal_arrived() {
                var fd: Int32 = -1
                var port: Int32 = 0
                let result = pc_accept(listener.rawDescriptor, PC_ACCEPT_INTERRUPTIBLE, &fd, host.baseAddress, host.count, &port)
                switch result {
                case 0:
                    break
                case EINTR:
                    continue
                case EINVAL:
                    // The listener was shut down: the server drains, and its queue is empty.
                    scoreboard.record(.stopping, served: served, at: slot)
                    return 0
                case EAGAIN, EWOULDBLOCK:
                    // The master made the listener non-blocking: the server drains.
                    return leave(served: served, host: host)
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    pauseAccepting(after: result)
                    continue
                default:
                    let error = ProcessError.systemCall("accept", result)
                    service.log.fromAnyProcess(ServerEvent(
                        "accept_failed", .error, "worker \(getpid()): \(error)", ["pid": .pid(getpid()), "error": .string("\(error)")]))
                    return 1
                }
                serve(fd, host: host, port: port, served: served)
                served += 1
                if budget > 0 && served >= budget {
                    scoreboard.record(.recycling, served: served, at: slot)
                    return 0
                }
                scoreboard.record(.idle, served: served, at: slot)
            }
            return leave(served: served, host: host)
        }
    }

    /// Told to stop (SIGTERM: by the master, or by the kernel when the master died):
    /// drains the listener first when its duty says so, then leaves.
    private func leave(served: UInt64, host: UnsafeMutableBufferPointer<CChar>) -> Int32 {
        var served = served
        if scoreboard.listenerDuty(of: slot).drains(orphaned: getppid() != master) {
            served += drainListener(host: host, served: served)
        }
        scoreboard.record(.stopping, served: served, at: slot)
        return 0
    }

    /// Serves every connection queued on the listener, then shuts it down, so that a stop
    /// resets none and new connections are refused (see `ListenerDuty`); returns how many
    /// it served. The listener first drops new connections (`pc_listener_drop_new_connections`;
    /// the master has done so already when the server drains): the queue can only
    /// shrink, so the first accept that finds it empty (EAGAIN) is the last, and the
    /// shutdown after it resets nothing. Workers that drain together share the queue;
    /// the first to find it empty shuts the listener down, and the others' accepts then
    /// return EINVAL.
    private func drainListener(host: UnsafeMutableBufferPointer<CChar>, served: UInt64) -> UInt64 {
        _ = pc_listener_drop_new_connections(listener.rawDescriptor)
        // O_NONBLOCK is the shared socket's: every worker's accept stops waiting.
        _ = pc_set_nonblocking(listener.rawDescriptor, true)
        var drained: UInt64 = 0
        while true {
            var fd: Int32 = -1
            var port: Int32 = 0
            let result = pc_accept(listener.rawDescriptor, 0, &fd, host.baseAddress, host.count, &port)
            switch result {
            case 0:
                serve(fd, host: host, port: port, served: served + drained)
                drained += 1
            case EAGAIN, EWOULDBLOCK:
                _ = pc_listener_stop_accepting(listener.rawDescriptor)
                return drained
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                pauseAccepting(after: result)
            default:
                // EINVAL: another worker found the queue empty and shut the listener down.
                return drained
            }
        }
    }

    /// Serves the accepted connection `fd` from `host`:`port` and records it.
    private func serve(_ fd: Int32, host: UnsafeMutableBufferPointer<CChar>, port: Int32, served: UInt64) {
        // For the worker timeout: the master tells a worker waiting for its client
        // by this socket (pc_process_tree_waits_on_socket).
        var inode: UInt64 = 0
        _ = pc_descriptor_inode(fd, &inode)
        pc_slot_set_connection(scoreboard[slot], inode)
        scoreboard.record(.busy, served: served, at: slot)
        _ = service.serve(
            SocketConnection(adopting: fd), peer: listener.peer(host: host.baseAddress!, port: port),
            programJoinsGroup: true)
    }

    /// Out of descriptors or memory: the connection waits in the backlog for this or
    /// another worker, while this one pauses.
    private func pauseAccepting(after result: Int32) {
        let error = ProcessError.systemCall("accept", result)
        service.log.fromAnyProcess(ServerEvent(
            "accept_paused", .warning, "worker \(getpid()): \(error); pausing accept for \(Self.acceptPause.roundedUpMilliseconds) ms",
            ["pid": .pid(getpid()), "error": .string("\(error)"), "pause_ms": .int(Int(Self.acceptPause.roundedUpMilliseconds))]))
        var ready: Int32 = 0
        _ = pc_poll(nil, 0, Self.acceptPause.roundedUpMilliseconds, &ready)
    }

    /// Sets the worker up; the reason it cannot run, or nil.
    private func boot() -> String? {
        // A group of its own, which its programs join: whatever the worker starts ends
        // with it, as the master kills the group when the worker ends (see
        // `PreforkModel`). Out of the terminal's group, no terminal signal reaches it.
        var result = pc_lead_process_group(0)
        if result != 0 { return "\(ProcessError.systemCall("setpgid", result))" }
        result = pc_stop_signal_catch(SIGTERM)
        if result != 0 { return "\(ProcessError.systemCall("sigaction", result))" }
        // An orphan must not keep the port: when the master dies, SIGTERM comes, and the
        // worker, after its current connection, drains the listener and leaves.
        result = pc_die_with_parent(SIGTERM, master)
        if result == ESRCH { return "the master has ended" }
        if result != 0 { return "\(ProcessError.systemCall("prctl", result))" }
        do {
            try startup?()
        } catch {
            return "\(error)"
        }
        return nil
    }
}
