import CProcShim
import ProcCore

import Glibc

/// A child serving one variant of `procctl bench ipc` for the whole run (it exits after a
/// number of operations agreed on when it started), and the parent's side of one operation.
/// Children of all variants live side by side, so that operations can be interleaved.
final class BenchSession {
    /// What the variant does, in words, for errors.
    let summary: String
    private let child: ChildProcess
    private let once: () throws -> Void
    private let closeParentEnds: [() -> Void]

    init(summary: String, child: ChildProcess, once: @escaping () throws -> Void, closeParentEnds: [() -> Void]) {
        self.summary = summary
        self.child = child
        self.once = once
        self.closeParentEnds = closeParentEnds
    }

    /// On-CPU nanoseconds of the calling thread in `time` so far: the parent's side of
    /// every operation.
    private var parentCPU: Int64 = 0

    /// Performs `count` operations; nanoseconds they took.
    func time(_ count: Int) throws -> Int64 {
        let cpuBefore = Self.cpuNanoseconds(of: CLOCK_THREAD_CPUTIME_ID)
        let started = pc_monotonic_ns()
        for _ in 0..<count { try once() }
        let elapsed = pc_monotonic_ns() - started
        parentCPU += Self.cpuNanoseconds(of: CLOCK_THREAD_CPUTIME_ID) - cpuBefore
        return elapsed
    }

    /// On-CPU nanoseconds spent on this variant so far, by the parent in `time` and by the
    /// child (its process CPU clock, clock_getcpuclockid(3)): what the operations cost,
    /// whatever the machine's idle states and wake-ups add to their latency. Nil when the
    /// child's clock cannot be read.
    func cpuNanoseconds() -> Int64? {
        guard let pid = child.pid else { return nil }
        var clock = clockid_t()
        guard clock_getcpuclockid(pid, &clock) == 0 else { return nil }
        return parentCPU + Self.cpuNanoseconds(of: clock)
    }

    private static func cpuNanoseconds(of clock: clockid_t) -> Int64 {
        var now = timespec()
        guard clock_gettime(clock, &now) == 0 else { return 0 }
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Waits for the child, which exits after its last operation; throws unless it exited 0.
    func finish() throws {
        try child.join()
        if child.exitCode != 0 { throw BenchFailure("\(summary): the child exited \(child.exitCode ?? -1)") }
    }

    deinit {
        for close in closeParentEnds { close() }
        try? child.kill()
        _ = try? child.join()
    }
}
