import CProcShim
import ProcCore
import Synchronization
import Testing

import Glibc

/// The error the busy thread and the children throw.
private struct Thrown: Error {}

/// Set to stop the thread that throws in a loop.
private let stopThrowing = Atomic<Bool>(false)

@inline(never)
private func alwaysThrow(_ value: Int) throws -> Int {
    if value >= 0 { throw Thrown() }
    return value
}

extension ForkingTests {
    /// A child forked while another thread of the parent throws, throwing itself.
    ///
    /// Swift Testing records every throw through the runtime's willThrow hook, under locks;
    /// a child forked while another thread held them used to hang at its first throw
    /// (21 of 300 children here). pc_fork clears the hooks in the child.
    @Suite struct ThrowWhileForkingTests {
        @Test func childrenThrowWhileAnotherThreadThrows() throws {
            stopThrowing.store(false, ordering: .relaxed)
            var thread = pthread_t()
            try #require(pthread_create(&thread, nil, { _ in
                var count = 0
                while !stopThrowing.load(ordering: .relaxed) {
                    do { count += try alwaysThrow(count) } catch { count += 1 }
                }
                return nil
            }, nil) == 0)
            defer {
                stopThrowing.store(true, ordering: .relaxed)
                pthread_join(thread, nil)
            }
            var hung = 0
            for _ in 0..<150 {
                let child = ChildProcess(threadPolicy: .allow) { _ = try alwaysThrow(1) }
                try child.start()
                if try !child.join(timeout: .seconds(5)) {
                    hung += 1
                    try child.kill()
                    try child.join()
                }
                #expect(child.exitCode == 1 || child.exitCode == -9)
                if hung > 0 { break }
            }
            #expect(hung == 0, "a child hung at its first throw")
        }
    }
}
