import CProcShim
import ProcCore

/// A locked increment of a `SharedValue<Int>`, timed by `procctl bench ipc`: alone, or by
/// two processes at once.
enum LockVariant: CaseIterable {
    /// This process alone: `withLock { $0 += 1 }` in a loop.
    case uncontended
    /// Two forked children, each incrementing as fast as it can at the same time.
    case contended

    var label: String {
        switch self {
        case .uncontended: "uncontended"
        case .contended: "contended"
        }
    }

    var summary: String {
        switch self {
        case .uncontended: "SharedValue.withLock increment, one process"
        case .contended: "SharedValue.withLock increment, 2 processes"
        }
    }

    /// Microseconds per increment over `count` increments (per process); throws when an
    /// update was lost.
    func measure(count: Int) throws -> Double {
        let value = try SharedValue<Int>(0)
        let started = pc_monotonic_ns()
        let processes: Int
        switch self {
        case .uncontended:
            processes = 1
            for _ in 0..<count { try value.withLock { $0 += 1 } }
        case .contended:
            processes = 2
            let children = (0..<processes).map { _ in
                ChildProcess { for _ in 0..<count { try value.withLock { $0 += 1 } } }
            }
            for child in children { try child.start() }
            defer { for child in children { try? child.kill(); try? child.join() } }
            for child in children {
                try child.join()
                if child.exitCode != 0 { throw BenchFailure("\(summary): a child exited \(child.exitCode ?? -1)") }
            }
        }
        let elapsed = pc_monotonic_ns() - started
        let total = try value.load()
        if total != processes * count { throw BenchFailure("\(summary): \(processes * count - total) updates lost") }
        return Double(elapsed) / 1000 / Double(processes * count)
    }
}
