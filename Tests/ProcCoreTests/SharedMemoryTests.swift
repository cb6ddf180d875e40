import ProcCore
import Testing

extension ForkingTests {
    /// SharedMemory: the pages a child writes are the ones its parent reads.
    @Suite struct SharedMemoryTests {
        @Test func childWritesAreSeenByTheParent() throws {
            let memory = try SharedMemory(byteCount: 10_000)
            #expect(memory.bytes.count == 10_000)
            #expect(memory.bytes.allSatisfy { $0 == 0 }, "fresh shared memory is zeroed")
            let child = ChildProcess(threadPolicy: .allow) {
                memory.bytes[0] = 42
                memory.bytes[9_999] = 7
            }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
            #expect(memory.bytes[0] == 42)
            #expect(memory.bytes[9_999] == 7)
        }

        @Test func negativeSizeIsAnInvalidArgument() {
            let error = processError { _ = try SharedMemory(byteCount: -1) }
            #expect(error?.code == .invalidArgument)
        }
    }
}
