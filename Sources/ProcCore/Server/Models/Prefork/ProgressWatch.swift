/// Whether a busy worker is still making progress, for the worker timeout
/// (`PreforkOptions.workerTimeout`).
///
/// Progress is a change of state on the scoreboard (a connection taken or finished) or,
/// within a connection, a read or write system call of the worker or of a process it
/// started for the connection (its program, and what that started: the kernel's counts,
/// /proc/PID/io). A worker that has made none for longer than `timeout` is hung, whatever
/// it does instead: it spins, it is stopped, or it is blocked on anything but its client.
/// Waiting for its client is the one exception, which the idle timeout
/// (`ServerConfiguration.idleTimeout`) bounds: a suspect found waiting
/// (`pc_process_tree_waits_on_socket`) has made progress. Time on the CPU, or
/// off it, is not progress.
///
/// Pure: the master feeds it what it reads, one observation per check.
struct ProgressWatch {
    let timeout: Duration
    /// The last progress seen.
    private(set) var progress: MonotonicInstant
    private var slotChange = MonotonicInstant(nanoseconds: 0)
    /// The read and write calls at the last look.
    private var last: UInt64?

    /// Watches a worker started at `started`.
    init(timeout: Duration, started: MonotonicInstant) {
        self.timeout = timeout
        progress = started
    }

    /// Records the scoreboard's last change of state; a new one is progress.
    mutating func observe(slotChange: MonotonicInstant) {
        guard slotChange != self.slotChange else { return }
        self.slotChange = slotChange
        progress = max(progress, slotChange)
        last = nil
    }

    /// Records the read and write calls a busy worker has made so far; returns true when it
    /// has made no progress for longer than the timeout: a suspect, hung unless it waits
    /// for its client (`sawWaitingForClient`).
    mutating func observe(ioCalls: UInt64, now: MonotonicInstant) -> Bool {
        defer { last = ioCalls }
        // A first look has nothing to compare with: the next one judges.
        guard let last else { return false }
        if ioCalls != last { progress = now }
        return now - progress > timeout
    }

    /// The worker was found waiting for its client: as good as progress.
    mutating func sawWaitingForClient(now: MonotonicInstant) {
        progress = now
    }
}
