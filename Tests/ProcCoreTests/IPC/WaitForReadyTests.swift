import CProcShim
import ProcCore
import ProcTestSupport
import SystemPackage
import Testing

extension ForkingTests {
    /// waitForReady over Connections, children and plain descriptors at once.
    @Suite struct WaitForReadyTests {
        @Test func nothingReadyReturnsEmptyAfterTheTimeout() throws {
            let pipe = try Pipe()
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            let child = ChildProcess(threadPolicy: .allow) { TestClock.sleep(5) }
            try child.start()
            defer { stop(child) }
            let started = pc_monotonic_ns()
            let ready = try waitForReady([pipe.first, child, FileDescriptor(rawValue: readEnd)], timeout: .milliseconds(150))
            #expect(ready.isEmpty)
            #expect(seconds(since: started) >= 0.14)
            #expect(try waitForReady([pipe.first], timeout: .zero).isEmpty)
        }

        @Test func returnsThoseReadyAmongConnectionsChildrenAndDescriptors() throws {
            let results = try Pipe()
            let other = try Pipe()
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            let sender = ChildProcess(threadPolicy: .allow) {
                TestClock.sleep(0.05)
                try results.second.send(42)
            }
            let quitter = ChildProcess(threadPolicy: .allow) { TestClock.sleep(0.3) }
            try sender.start()
            defer { stop(sender) }
            try quitter.start()
            defer { stop(quitter) }
            let objects: [any Waitable] = [other.first, results.first, quitter, FileDescriptor(rawValue: readEnd)]
            #expect(try waitForReady(objects, timeout: .seconds(10)) == [1])
            #expect(try results.first.receive(Int.self) == 42)
            #expect(try waitForReady(objects, timeout: .seconds(10)) == [2], "the quitter ended")
            finish(quitter)
            #expect(quitter.exitCode == 0)
            #expect(try waitForReady([quitter], timeout: .zero) == [0], "a reaped child stays ready")
            #expect(pc_write_all(writeEnd, "x", 1) == 0)
            #expect(try waitForReady(objects, timeout: .seconds(10)) == [2, 3])
            finish(sender)
        }

        @Test func aChildNeverStartedAndAClosedConnectionAreErrors() throws {
            let pipe = try Pipe()
            pipe.first.close()
            #expect(processError { _ = try waitForReady([pipe.first]) }?.code == .closed)
            #expect(processError { _ = try waitForReady([ChildProcess {}]) }?.code == .notStarted)
        }
    }
}
