import CProcShim
import ProcCore
import Testing

import Glibc

extension ForkingTests {
    /// Children run side by side: joining one does not hold up the others.
    @Suite struct ConcurrencyTests {
        @Test func fourSleepingChildrenJoinInLessThanTheirSum() throws {
            let children = (0..<4).map { index in
                ChildProcess(name: "sleeper-\(index)", threadPolicy: .allow) { sleep(1) }
            }
            defer { children.forEach(stop) }
            let started = pc_monotonic_ns()
            for child in children { try child.start() }
            for child in children { finish(child) }
            let elapsed = seconds(since: started)
            for child in children { #expect(child.exitCode == 0) }
            // Serialized they would take 4 s; side by side about 1 s. 3 s is a generous
            // bound for a shared machine: this checks concurrency, not speed.
            #expect(elapsed < 3, "four 1 s children took \(elapsed) s")
            #expect(elapsed >= 0.99)
            #expect(Set(children.compactMap(\.pid)).count == 4)
        }
    }
}
