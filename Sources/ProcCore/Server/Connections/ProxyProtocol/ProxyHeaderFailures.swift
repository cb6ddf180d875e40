import CProcShim
import Synchronization

/// A server's PROXY header failures, counted by reason in memory shared by its master
/// and every child and worker it forks (the master reads them for `/metrics`), and
/// logged from whichever process met them at most once per `logInterval` across all of
/// them, each line with the count of those left out since the last one: a flood of bad
/// connections (a port scan, a client that bypassed the balancer) costs a line a second.
final class ProxyHeaderFailures: @unchecked Sendable {
    /// The least time between two lines about failures, unless told otherwise.
    static let defaultLogInterval: Duration = .seconds(1)

    /// The least time between two lines about failures.
    let logInterval: Duration
    private let memory: SharedMemory
    /// One counter per `ProxyHeaderFailure` (in `allCases` order), then when the last
    /// line was written (CLOCK_MONOTONIC, ns, the same in every process; 0: never), then
    /// how many failures went unlogged since.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private static let reasons = ProxyHeaderFailure.allCases
    private var lastLogged: Int { Self.reasons.count }
    private var unlogged: Int { Self.reasons.count + 1 }

    /// Zeroed counters in fresh shared memory: create it before forking the processes
    /// that record. At most one line per `logInterval`.
    init(logInterval: Duration = defaultLogInterval) throws(ProcessError) {
        self.logInterval = logInterval
        let count = Self.reasons.count + 2
        memory = try SharedMemory(byteCount: count * MemoryLayout<Atomic<UInt64>>.stride)
        words = memory.bytes.baseAddress!.bindMemory(to: Atomic<UInt64>.self, capacity: count)
        for index in 0..<count { (words + index).initialize(to: Atomic(0)) }
    }

    /// Counts `failure` of a connection from `peer` (the balancer, or whoever connected)
    /// and logs it, unless a line was written less than `logInterval` ago.
    func record(_ failure: ProxyHeaderFailure, from peer: SocketAddress, log: ServerLog) {
        words[Self.reasons.firstIndex(of: failure)!].wrappingAdd(1, ordering: .relaxed)
        let now = UInt64(pc_monotonic_ns())
        let last = words[lastLogged].load(ordering: .relaxed)
        guard last == 0 || Duration.nanoseconds(Int64(now &- last)) >= logInterval,
              words[lastLogged].compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else {
            words[unlogged].wrappingAdd(1, ordering: .relaxed)
            return
        }
        let left = Int(words[unlogged].exchange(0, ordering: .relaxed))
        let since = left == 0 ? "" : " (\(left) more failure\(left == 1 ? "" : "s") since the last line)"
        log.fromAnyProcess(ServerEvent(
            "proxy_header_failed", .warning, "connection from \(peer) closed: \(failure)\(since)",
            ["peer": .string("\(peer)"), "reason": .string(failure.reason), "unlogged_failures": .int(left)]))
    }

    /// Every reason with its count so far.
    var counts: [(failure: ProxyHeaderFailure, count: UInt64)] {
        Self.reasons.enumerated().map { ($1, words[$0].load(ordering: .relaxed)) }
    }
}
