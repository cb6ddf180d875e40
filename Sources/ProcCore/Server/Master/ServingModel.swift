/// How a server's connections are served (fork per connection, prefork...), as the
/// `MasterLoop` asks it: the master owns what every model shares (signals, binary
/// upgrade, reload requests, metrics and notifications, ready and the pid file, the drain
/// and its grace, the clock), and a model answers for its own processes only.
///
/// The master calls it from its one thread, in this order: `start` once; then, at each
/// turn of the loop, `preparePoll`, `nextDeadline`, one wait, `handleEvents`; `reload` and
/// `handle(signal:)` when those signals come; at the end `stopAccepting`, turns while the
/// drain lasts (`isFinished`), then `stopNow`. A third model is one more type with these
/// members, not a copy of the loop.
protocol ServingModel: AnyObject {
    /// Poll slots it may fill after the master's own (`preparePoll`).
    var pollCapacity: Int { get }
    /// Signals it handles itself besides the master's (prefork: SIGTTIN, SIGTTOU).
    var ownSignals: [Int32] { get }
    /// Whether a connection can be served now; the master announces the server (`ready`)
    /// the first time it is true.
    var isServing: Bool { get }
    /// Why it cannot go on (prefork: workers that never start), or nil; the master then
    /// stops at once.
    var haltReason: String? { get }
    /// Whether nothing is left for the drain to wait for.
    var isFinished: Bool { get }
    /// What still serves, for the drain's log line.
    var liveWork: LiveWork { get }
    /// What it did, for `Server.run`.
    var summary: ServerSummary { get }

    /// Starts serving (prefork: forks the workers); once, before the first wait. A throw:
    /// it cannot serve, and the master stops (`stopNow`).
    func start(at now: MonotonicInstant) throws(ProcessError)
    /// Puts its descriptors in the poll set from `slot` on; the entries there are its
    /// own, and may stay as they are between two calls.
    func preparePoll(_ pollSet: PollSet, from slot: Int)
    /// The next moment it has something to do without an event, or nil.
    func nextDeadline(after now: MonotonicInstant) -> MonotonicInstant?
    /// Does what its poll entries' events (from `slot` on) and the time ask: reaps ended
    /// processes, and while `serving`, accepts or keeps its pool.
    func handleEvents(_ pollSet: PollSet, from slot: Int, at now: MonotonicInstant, serving: Bool)
    /// One of `ownSignals`, while serving.
    func handle(signal: Int32)
    /// SIGHUP, while serving: the master has told no one; the model says `reloading` and
    /// `reloaded` to the lifecycle when they happen.
    func reload(at now: MonotonicInstant)
    /// Whether another process holds the listener too: true from a binary upgrade's start
    /// (and, in that upgrade's new master, while the old one lives), false again if it
    /// fails; always under socket activation (the service manager keeps it). While it is,
    /// the model never drains the listener nor shuts it down: it closes its own copy.
    func shareListener(_ shared: Bool)
    /// The drain begins: no new connection, but those already queued on the listener are
    /// served (the model takes the queue, then closes the listener: none is reset).
    /// `handedOver`: a new master serves the same listener, which must stay open for it.
    func stopAccepting(handedOver: Bool, at now: MonotonicInstant)
    /// Kills whatever still serves and reaps every process it started.
    func stopNow()
    /// The figures of `/metrics` and of the service manager's STATUS line, now.
    func metrics() -> ServerMetrics
}

/// What a serving model still serves when the drain begins, for its log line:
/// `shutting down: 3 live connections, waiting up to 10 s`.
struct LiveWork {
    let count: Int
    /// What is counted, plural (`live connections`, `busy workers`).
    let noun: String
    /// The JSON field of the count.
    let field: StaticString
}
