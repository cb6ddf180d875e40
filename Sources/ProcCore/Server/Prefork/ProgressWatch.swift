/// Whether a busy worker is still making progress, for `--worker-timeout`.
///
/// Progress is a change of state on the scoreboard (a connection taken or finished) or,
/// within a connection, a read or write system call of the worker or of the program it
/// runs for the connection (the kernel's count, /proc/PID/io) or time spent blocked (no CPU time used: waiting for a slow client or a program, a
/// wait the idle timeout bounds). A worker that burns CPU without any I/O (a handler
/// stuck in a loop of its own) makes none, and is hung once that has lasted `timeout`.
///
/// Pure: the master feeds it what it reads, one observation per check.
struct ProgressWatch {
    /// CPU time is counted in clock ticks of 10 ms: a worker that used at most one tick
    /// (or a twentieth of the time between two looks) was blocked.
    static let blockedCPUNs: UInt64 = 10_000_000

    let timeoutNs: Int64
    /// The last progress seen, in nanoseconds of the monotonic clock.
    private(set) var progressNs: Int64
    private var slotProgressNs: Int64 = 0
    private var last: (cpuNs: UInt64, ioCalls: UInt64, atNs: Int64)?

    /// Watches a worker started at `startedNs`.
    init(timeout: Duration, startedNs: Int64) {
        timeoutNs = timeout.nanoseconds
        progressNs = startedNs
    }

    /// Records the scoreboard's last change of state; a new one is progress.
    mutating func observe(slotProgressNs: Int64) {
        guard slotProgressNs != self.slotProgressNs else { return }
        self.slotProgressNs = slotProgressNs
        progressNs = max(progressNs, slotProgressNs)
        last = nil
    }

    /// Records what a busy worker has done so far; returns true when it is hung.
    mutating func observe(cpuNs: UInt64, ioCalls: UInt64, now: Int64) -> Bool {
        if let last {
            let elapsed = UInt64(max(0, now - last.atNs))
            // Less CPU time than before: a program of the worker ended between two looks.
            let ran = cpuNs >= last.cpuNs ? cpuNs - last.cpuNs : 0
            let blocked = ran <= max(Self.blockedCPUNs, elapsed / 20)
            if ioCalls != last.ioCalls || blocked { progressNs = now }
        }
        last = (cpuNs, ioCalls, now)
        return now - progressNs > timeoutNs
    }
}
