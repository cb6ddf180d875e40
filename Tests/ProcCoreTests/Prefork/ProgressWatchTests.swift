@testable import ProcCore
import Testing

@Suite struct ProgressWatchTests {
    /// The moment `milliseconds` after the clock's origin.
    static func at(_ milliseconds: Int) -> MonotonicInstant { MonotonicInstant(nanoseconds: Int64(milliseconds) * 1_000_000) }

    /// Feeds `watch` one observation per 150 ms from `firstStep` to `lastStep`; `ioCalls`
    /// gives the read and write calls at each step. Returns the verdicts.
    private func observe(_ watch: inout ProgressWatch, steps: ClosedRange<Int>, ioCalls: (Int) -> UInt64) -> [Bool] {
        steps.map { step in watch.observe(ioCalls: ioCalls(step), now: Self.at(150 * step)) }
    }

    @Test func aWorkerWithoutIOIsSuspectOnceTheTimeoutHasPassedWhateverItsCPU() {
        // Spinning, stopped or blocked: the watch never sees the CPU, only the I/O.
        var watch = ProgressWatch(timeout: .milliseconds(500), started: Self.at(0))
        watch.observe(slotChange: MonotonicInstant(nanoseconds: 1))  // took a connection
        let suspect = observe(&watch, steps: 1...6) { _ in 7 }
        #expect(suspect == [false, false, false, true, true, true])
    }

    @Test func readingAndWritingIsProgress() {
        var watch = ProgressWatch(timeout: .milliseconds(500), started: Self.at(0))
        watch.observe(slotChange: MonotonicInstant(nanoseconds: 1))
        let talking = observe(&watch, steps: 1...20) { UInt64($0) }
        // Then silent: suspect once the timeout has passed since the last call.
        let silent = observe(&watch, steps: 21...25) { _ in 20 }
        #expect(!talking.contains(true))
        #expect(silent == [false, false, false, true, true])
    }

    @Test func waitingForItsClientIsProgress() {
        var watch = ProgressWatch(timeout: .milliseconds(500), started: Self.at(0))
        watch.observe(slotChange: MonotonicInstant(nanoseconds: 1))
        var verdicts: [Bool] = []
        for step in 1...20 {
            let now = Self.at(150 * step)
            let suspect = watch.observe(ioCalls: 3, now: now)
            if suspect { watch.sawWaitingForClient(now: now) }
            verdicts.append(suspect)
        }
        // Suspect at most every fourth look (each time found waiting), never hung for long.
        #expect(verdicts.filter { $0 }.count <= 5)
        #expect(watch.progress == Self.at(3000))
    }

    @Test func aNewConnectionIsProgress() {
        var watch = ProgressWatch(timeout: .milliseconds(500), started: Self.at(0))
        let first = watch.observe(ioCalls: 0, now: Self.at(100))
        let stuck = watch.observe(ioCalls: 0, now: Self.at(600))
        watch.observe(slotChange: Self.at(650))
        let afterNewConnection = watch.observe(ioCalls: 0, now: Self.at(700))
        let laterStill = watch.observe(ioCalls: 0, now: Self.at(1_200))
        #expect(!first && stuck && !afterNewConnection && laterStill)
    }
}
