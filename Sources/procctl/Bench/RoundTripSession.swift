import CProcShim
import ProcCore

/// A child answering one `RoundTripVariant`'s round trips, and the parent's side of them.
final class RoundTripSession {
    let variant: RoundTripVariant
    private let child: ChildProcess
    private let once: () throws -> Void
    private let closeParentEnds: [() -> Void]

    init(variant: RoundTripVariant, child: ChildProcess, once: @escaping () throws -> Void, closeParentEnds: [() -> Void]) {
        self.variant = variant
        self.child = child
        self.once = once
        self.closeParentEnds = closeParentEnds
    }

    /// Makes `count` round trips; microseconds per round trip.
    func time(_ count: Int) throws -> Double {
        let started = pc_monotonic_ns()
        for _ in 0..<count { try once() }
        return Double(pc_monotonic_ns() - started) / 1000 / Double(count)
    }

    /// Waits for the child, which exits after its last round trip; throws unless it exited 0.
    func finish() throws {
        try child.join()
        if child.exitCode != 0 { throw BenchFailure("\(variant.summary): the child exited \(child.exitCode ?? -1)") }
    }

    deinit {
        for close in closeParentEnds { close() }
        try? child.kill()
        _ = try? child.join()
    }
}
