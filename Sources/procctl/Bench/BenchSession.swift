import CProcShim
import ProcCore

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

    /// Performs `count` operations; nanoseconds they took.
    func time(_ count: Int) throws -> Int64 {
        let started = pc_monotonic_ns()
        for _ in 0..<count { try once() }
        return pc_monotonic_ns() - started
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
