import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// join(terminatingAfter:killingAfter:forwarding:): timeout(1)'s escalation as a library call.
    @Suite struct TimeoutJoinTests {
        @Test func aChildThatEndsInTimeIsJoinedWithoutASignal() throws {
            let child = ChildProcess(threadPolicy: .allow) { throw ChildProcess.Exit(9) }
            try child.start()
            defer { stop(child) }
            #expect(try child.join(terminatingAfter: .seconds(30)) == false)
            #expect(child.exitCode == 9)
        }

        @Test func aChildPastItsTimeoutGetsSIGTERM() throws {
            let child = ChildProcess(threadPolicy: .allow) { TestClock.sleep(30) }
            try child.start()
            defer { stop(child) }
            #expect(try child.join(terminatingAfter: .milliseconds(50), killingAfter: .seconds(30)))
            #expect(child.exitCode == -SIGTERM)
        }

        @Test func aChildThatIgnoresSIGTERMGetsSIGKILLAfterTheGrace() throws {
            let ready = try ProcessEvent()
            let child = ChildProcess(threadPolicy: .allow) {
                signal(SIGTERM, SIG_IGN)
                try ready.set()
                TestClock.sleep(30)
            }
            try child.start()
            defer { stop(child) }
            #expect(try ready.wait(timeout: .seconds(10)))
            #expect(try child.join(terminatingAfter: .zero, killingAfter: .milliseconds(50)))
            #expect(child.exitCode == -SIGKILL)
        }

        @Test func withoutATimeoutItWaitsForTheEnd() throws {
            let child = ChildProcess(threadPolicy: .allow) { TestClock.sleep(0.05) }
            try child.start()
            defer { stop(child) }
            #expect(try child.join(terminatingAfter: nil) == false)
            #expect(child.exitCode == 0)
        }

        @Test func aChildNeverStartedIsAnError() {
            #expect(processError { _ = try ChildProcess {}.join(terminatingAfter: .seconds(1)) }?.code == .notStarted)
        }
    }
}
