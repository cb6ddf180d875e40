import CProcShim
import ProcCore
import Testing

import Glibc

extension ForkingTests {
    /// Every misuse is a typed error, never a crash, and leaves the child as it was.
    @Suite struct MisuseTests {
        @Test func startTwiceIsAlreadyStarted() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            let pid = child.pid
            #expect(processError { try child.start() } == ProcessError(.alreadyStarted, operation: "start"))
            #expect(child.pid == pid, "a second start must not replace the child")
            try child.kill()
            finish(child)
            // Ended: still no second start.
            #expect(processError { try child.start() } == ProcessError(.alreadyStarted, operation: "start"))
            #expect(child.exitCode == -SIGKILL)
        }

        @Test func useBeforeStartIsNotStarted() {
            let child = ChildProcess(threadPolicy: .allow) {}
            #expect(processError { try child.join() } == ProcessError(.notStarted, operation: "join"))
            #expect(processError { _ = try child.join(timeout: .seconds(1)) } == ProcessError(.notStarted, operation: "join"))
            #expect(processError { try child.terminate() }?.code == .notStarted)
            #expect(processError { try child.kill() }?.code == .notStarted)
            #expect(child.pid == nil)
            #expect(child.exitCode == nil)
        }

        @Test func closeWhileRunningIsStillRunning() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            #expect(processError { try child.close() } == ProcessError(.stillRunning, operation: "close"))
            // The handle still works: the child runs until we stop it.
            #expect(try child.isAlive)
            try child.terminate()
            finish(child)
            #expect(child.exitCode == -SIGTERM)
            try child.close()
        }

        @Test func everyOperationAfterCloseIsClosed() throws {
            let child = ChildProcess(threadPolicy: .allow) { throw ChildProcess.Exit(4) }
            try child.start()
            defer { stop(child) }
            try child.join()
            try child.close()
            #expect(processError { try child.terminate() } == ProcessError(.closed, operation: "terminate"))
            #expect(processError { try child.kill() } == ProcessError(.closed, operation: "kill"))
            #expect(processError { try child.send(signal: .userDefinedOne) }?.code == .closed)
            #expect(processError { try child.join() } == ProcessError(.closed, operation: "join"))
            #expect(processError { _ = try child.join(timeout: .zero) } == ProcessError(.closed, operation: "join"))
            #expect(processError { try child.start() } == ProcessError(.closed, operation: "start"))
            #expect(processError { _ = try child.isAlive } == ProcessError(.closed, operation: "isAlive"))
            // What stays readable after close.
            #expect(child.exitCode == 4)
            #expect(child.pid != nil)
            #expect(child.name.hasPrefix("Process-"))
        }

        @Test func closeBeforeStartForbidsStart() throws {
            let child = ChildProcess(threadPolicy: .allow) {}
            try child.close()
            #expect(processError { try child.start() } == ProcessError(.closed, operation: "start"))
            #expect(child.pid == nil)
            #expect(child.exitCode == nil)
        }

        @Test func invalidSignalIsASystemCallError() throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            #expect(processError { try child.send(signal: Signal(rawValue: 12345)) } == .systemCall("send(signal:)", EINVAL))
            // Nothing happened to the child.
            #expect(try child.isAlive)
        }
    }
}
