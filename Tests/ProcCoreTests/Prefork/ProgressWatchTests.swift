@testable import ProcCore
import Testing

@Suite struct ProgressWatchTests {
    static let ms: Int64 = 1_000_000

    /// Feeds `watch` one observation per 150 ms from `firstStep` to `lastStep`; `sample`
    /// gives the CPU time and the I/O calls at each step. Returns the verdicts.
    private func observe(_ watch: inout ProgressWatch, steps: ClosedRange<Int>, sample: (Int) -> (cpuNs: UInt64, ioCalls: UInt64)) -> [Bool] {
        steps.map { step in
            let (cpu, io) = sample(step)
            return watch.observe(cpuNs: cpu, ioCalls: io, now: Int64(150 * step) * Self.ms)
        }
    }

    @Test func aWorkerThatRunsWithoutIOIsHungOnceTheTimeoutHasPassed() {
        var watch = ProgressWatch(timeout: .milliseconds(500), startedNs: 0)
        watch.observe(slotProgressNs: 1)  // took a connection
        // All of the time between two looks on the CPU, no read or write.
        let hung = observe(&watch, steps: 1...6) { (UInt64($0) * 150 * UInt64(Self.ms), 7) }
        #expect(hung == [false, false, false, true, true, true])
    }

    @Test func waitingBlockedOrDoingIOIsProgress() {
        var watch = ProgressWatch(timeout: .milliseconds(500), startedNs: 0)
        watch.observe(slotProgressNs: 1)
        // Blocked: no CPU time used for 3 s.
        let blocked = observe(&watch, steps: 1...20) { _ in (0, 1) }
        // On the CPU all the time, but reading and writing all the while.
        let talking = observe(&watch, steps: 21...40) { (UInt64($0) * 150 * UInt64(Self.ms), UInt64($0)) }
        #expect(!blocked.contains(true) && !talking.contains(true))
    }

    @Test func aNewConnectionIsProgress() {
        var watch = ProgressWatch(timeout: .milliseconds(500), startedNs: 0)
        let first = watch.observe(cpuNs: 0, ioCalls: 0, now: 100 * Self.ms)
        let spinning = watch.observe(cpuNs: 500 * UInt64(Self.ms), ioCalls: 0, now: 600 * Self.ms)
        watch.observe(slotProgressNs: 650 * Self.ms)
        let afterNewConnection = watch.observe(cpuNs: 550 * UInt64(Self.ms), ioCalls: 0, now: 700 * Self.ms)
        #expect(!first && spinning && !afterNewConnection)
    }
}
