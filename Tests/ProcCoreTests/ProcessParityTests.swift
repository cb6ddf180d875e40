import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// Python's active_children(), current_process() and parent_process(), and a started
    /// handle letting go of its closure.
    @Suite struct ProcessParityTests {
        final class Captured {
            let value = 42
        }

        @Test func activeChildrenListsTheRunningOnesAndReapsTheEnded() throws {
            let sleepers = try (0..<2).map { _ in try startChild { sleep(30) } }
            defer { sleepers.forEach(stop) }
            let quick = try startChild {}
            defer { stop(quick) }
            let quickPID = try #require(quick.pid)
            #expect(TestClock.waitUntil(timeout: 10) { procState(quickPID) == "Z" }, "the quick child never ended")
            let mine = sleepers + [quick]
            let active = ChildProcess.activeChildren().filter { child in mine.contains { $0 === child } }
            #expect(active.count == 2)
            #expect(sleepers.allSatisfy { sleeper in active.contains { $0 === sleeper } })
            #expect(quick.exitCode == 0)
            #expect(isNotOurChild(quickPID), "activeChildren() left the ended child unreaped")
            // Inside a child, the parent's children are not its own.
            let inner = try startChild {
                guard ChildProcess.activeChildren().isEmpty else { throw ChildProcess.Exit(2) }
            }
            defer { stop(inner) }
            finish(inner)
            #expect(inner.exitCode == 0)
            for sleeper in sleepers {
                try sleeper.kill()
                finish(sleeper)
            }
            #expect(!ChildProcess.activeChildren().contains { child in mine.contains { $0 === child } })
        }

        @Test func currentAndParentNameTheProcessesAsPythonDoes() throws {
            #expect(ChildProcess.current == ProcessIdentity(name: "MainProcess", pid: getpid()))
            #expect(ChildProcess.parent == nil)
            let mainPID = getpid()
            // [worker's pid, grandchild's verdict]
            let report = try SharedArray<Int32>(repeating: -1, count: 2)
            let worker = ChildProcess(name: "worker", threadPolicy: .allow) {
                guard ChildProcess.current == ProcessIdentity(name: "worker", pid: getpid()) else { throw ChildProcess.Exit(2) }
                guard ChildProcess.parent == ProcessIdentity(name: "MainProcess", pid: mainPID) else { throw ChildProcess.Exit(3) }
                try report.store(getpid(), at: 0)
                let workerPID = getpid()
                let grandchild = ChildProcess(name: "grandchild", threadPolicy: .allow) {
                    guard ChildProcess.current.name == "grandchild" else { throw ChildProcess.Exit(4) }
                    guard ChildProcess.parent == ProcessIdentity(name: "worker", pid: workerPID) else { throw ChildProcess.Exit(5) }
                }
                try grandchild.start()
                guard try grandchild.join(timeout: .seconds(10)) else { throw ChildProcess.Exit(6) }
                try report.store(grandchild.exitCode ?? -1, at: 1)
                // Back in the worker once its own child has ended.
                guard ChildProcess.current.name == "worker" else { throw ChildProcess.Exit(7) }
            }
            try worker.start()
            defer { stop(worker) }
            finish(worker)
            #expect(worker.exitCode == 0)
            #expect(try report.load() == [worker.pid!, 0])
            #expect(ChildProcess.current.name == "MainProcess", "the parent's identity changed")
        }

        @Test func aStartedHandleNoLongerHoldsWhatItsClosureCaptured() throws {
            weak var watched: Captured?
            let child: ChildProcess
            do {
                let captured = Captured()
                watched = captured
                child = ChildProcess(threadPolicy: .allow) {
                    // The child still has it: its copy of the parent's memory holds the closure.
                    guard captured.value == 42 else { throw ChildProcess.Exit(2) }
                }
            }
            #expect(watched != nil, "the handle let go of its closure before start()")
            try child.start()
            defer { stop(child) }
            #expect(watched == nil, "the parent still holds what the closure captured")
            finish(child)
            #expect(child.exitCode == 0)
            #expect(processError { try child.start() }?.code == .alreadyStarted)
        }
    }
}
