/// What the master does when workers die soon after they start: respawn with an
/// exponential backoff, and halt the server when workers cannot boot at all
/// (gunicorn's halt on boot errors), instead of forking for ever.
///
/// Pure: the master tells it how each worker ended and follows its verdict.
struct CrashLoopGuard {
    /// What to do about a worker that has just ended.
    enum Verdict: Equatable {
        /// Replace it at once.
        case respawn
        /// Replace it after this delay (the log says so once).
        case respawnAfter(Duration)
        /// Stop the server: `bootFailureLimit` workers in a row never booted.
        case halt
    }

    /// A worker that ends abnormally sooner than this after its start died "at start".
    static let earlyDeath: Duration = .seconds(1)
    /// The first backoff; each further early death in a row doubles it.
    static let firstDelay: Duration = .milliseconds(100)
    /// The longest backoff.
    static let maximumDelay: Duration = .seconds(5)

    /// Workers in a row that never booted before the server halts.
    let bootFailureLimit: Int
    private(set) var earlyDeathsInARow = 0
    private(set) var bootFailuresInARow = 0

    init(bootFailureLimit: Int) {
        self.bootFailureLimit = max(1, bootFailureLimit)
    }

    /// A worker ended `lifetime` after it was forked; `booted` when it became ready
    /// first (a worker that did breaks a row of boot failures), `abnormal` when it ended by a signal or a non-zero code that the master
    /// did not cause.
    mutating func workerEnded(booted: Bool, abnormal: Bool, lifetime: Duration) -> Verdict {
        if booted {
            bootFailuresInARow = 0
        } else {
            bootFailuresInARow += 1
            if bootFailuresInARow >= bootFailureLimit { return .halt }
        }
        guard !booted || (abnormal && lifetime < Self.earlyDeath) else {
            earlyDeathsInARow = 0
            return .respawn
        }
        earlyDeathsInARow += 1
        let doublings = min(earlyDeathsInARow - 1, 16)
        let delay = min(Self.firstDelay * (1 << doublings), Self.maximumDelay)
        return .respawnAfter(delay)
    }
}
