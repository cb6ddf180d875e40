@testable import ProcCore
import Testing

@Suite struct CrashLoopGuardTests {
    @Test func backsOffExponentiallyWhileWorkersDieAtStart() {
        var guardian = CrashLoopGuard(bootFailureLimit: 5)
        let verdicts = (0..<8).map { _ in guardian.workerEnded(booted: true, abnormal: true, lifetime: .milliseconds(20)) }
        #expect(verdicts == [
            .respawnAfter(.milliseconds(100)), .respawnAfter(.milliseconds(200)), .respawnAfter(.milliseconds(400)),
            .respawnAfter(.milliseconds(800)), .respawnAfter(.milliseconds(1600)), .respawnAfter(.milliseconds(3200)),
            .respawnAfter(.seconds(5)), .respawnAfter(.seconds(5)),
        ])
    }

    @Test func aWorkerThatLivedOrLeftCleanlyIsReplacedAtOnceAndResetsTheBackoff() {
        var guardian = CrashLoopGuard(bootFailureLimit: 5)
        _ = guardian.workerEnded(booted: true, abnormal: true, lifetime: .milliseconds(20))
        _ = guardian.workerEnded(booted: true, abnormal: true, lifetime: .milliseconds(20))
        #expect(guardian.workerEnded(booted: true, abnormal: true, lifetime: .seconds(30)) == .respawn)
        #expect(guardian.earlyDeathsInARow == 0)
        #expect(guardian.workerEnded(booted: true, abnormal: false, lifetime: .milliseconds(5)) == .respawn)
        #expect(guardian.workerEnded(booted: true, abnormal: true, lifetime: .milliseconds(20)) == .respawnAfter(.milliseconds(100)))
    }

    @Test func haltsAfterTheLimitOfBootFailuresInARow() {
        var guardian = CrashLoopGuard(bootFailureLimit: 3)
        #expect(guardian.workerEnded(booted: false, abnormal: true, lifetime: .milliseconds(1)) != .halt)
        #expect(guardian.workerEnded(booted: false, abnormal: true, lifetime: .milliseconds(1)) != .halt)
        // A worker that booted, whatever became of it, breaks the row.
        #expect(guardian.workerEnded(booted: true, abnormal: true, lifetime: .seconds(3)) == .respawn)
        #expect(guardian.workerEnded(booted: false, abnormal: true, lifetime: .milliseconds(1)) != .halt)
        #expect(guardian.workerEnded(booted: false, abnormal: true, lifetime: .milliseconds(1)) != .halt)
        #expect(guardian.workerEnded(booted: false, abnormal: true, lifetime: .milliseconds(1)) == .halt)
    }
}
