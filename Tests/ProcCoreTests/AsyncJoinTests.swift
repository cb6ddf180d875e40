import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// `try await child.join()`: waits on the watcher thread; cancellation tears the child down.
    @Suite struct AsyncJoinTests {
        @Test func awaitedJoinReapsAndReportsTheExitCode() async throws {
            let child = ChildProcess(threadPolicy: .allow) {
                usleep(100_000)
                throw ChildProcess.Exit(7)
            }
            try child.start()
            defer { stop(child) }
            try await child.join()
            #expect(child.exitCode == 7)
            #expect(try !child.isAlive)
        }

        @Test func manyChildrenAwaitedConcurrently() async throws {
            let children = (0..<20).map { index in
                ChildProcess(threadPolicy: .allow) { throw ChildProcess.Exit(Int32(index)) }
            }
            defer { children.forEach(stop) }
            for child in children { try child.start() }
            // Each child is awaited in its own task; the handles go there and come back.
            let codes = try await withThrowingTaskGroup(of: Int32?.self) { group in
                for child in children {
                    nonisolated(unsafe) let handle = child
                    group.addTask {
                        try await handle.join()
                        return handle.exitCode
                    }
                }
                return try await group.reduce(into: [Int32?]()) { $0.append($1) }
            }
            #expect(Set(codes.compactMap { $0 }) == Set(0..<20))
        }

        @Test func cancellingTheAwaitingTaskTerminatesTheChild() async throws {
            let child = ChildProcess(threadPolicy: .allow) { sleep(30) }
            try child.start()
            defer { stop(child) }
            nonisolated(unsafe) let handle = child
            let waiting = Task { try await handle.join() }
            usleep(100_000)
            let before = pc_monotonic_ns()
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(seconds(since: before) < 5)
            #expect(child.exitCode == -SIGTERM)
        }

        @Test func aChildIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
            let child = ChildProcess(threadPolicy: .allow) {
                signal(SIGTERM, SIG_IGN)
                sleep(30)
            }
            try child.start()
            defer { stop(child) }
            nonisolated(unsafe) let handle = child
            let waiting = Task { try await handle.join(cancellationGrace: .milliseconds(200)) }
            usleep(100_000)
            let before = pc_monotonic_ns()
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(seconds(since: before) >= 0.19)
            #expect(child.exitCode == -SIGKILL)
        }

        @Test func awaitingAnEndedChildReturnsAtOnce() async throws {
            let child = ChildProcess(threadPolicy: .allow) {}
            try child.start()
            try await child.join()
            try await child.join()
            #expect(child.exitCode == 0)
        }
    }
}
