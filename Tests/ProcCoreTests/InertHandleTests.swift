import CProcShim
import ProcCore
import Testing

import Glibc

extension ForkingTests {
    /// A parent's handle copied into a forked child is inert there: the child can neither
    /// wait for nor signal its sibling.
    @Suite struct InertHandleTests {
        @Test func parentsHandleIsNotOwnChildInsideAForkedChild() throws {
            let sibling = ChildProcess(name: "sibling", threadPolicy: .allow) { sleep(30) }
            try sibling.start()
            defer { stop(sibling) }
            let child = ChildProcess(threadPolicy: .allow) {
                // Each misuse gives its own exit code, so a failure says which one it was.
                if processError(from: { try sibling.join() })?.code != .notOwnChild { throw ChildProcess.Exit(10) }
                if processError(from: { _ = try sibling.join(timeout: .zero) })?.code != .notOwnChild { throw ChildProcess.Exit(11) }
                if processError(from: { try sibling.terminate() })?.code != .notOwnChild { throw ChildProcess.Exit(12) }
                if processError(from: { try sibling.kill() })?.code != .notOwnChild { throw ChildProcess.Exit(13) }
                if processError(from: { _ = try sibling.isAlive })?.code != .notOwnChild { throw ChildProcess.Exit(14) }
                if sibling.exitCode != nil { throw ChildProcess.Exit(15) }
            }
            try child.start()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0, "10 join, 11 join(timeout:), 12 terminate, 13 kill, 14 isAlive, 15 exitCode")
            // Nothing reached the sibling: it still runs and is still ours to stop.
            #expect(try sibling.isAlive)
            try sibling.terminate()
            finish(sibling)
            #expect(sibling.exitCode == -SIGTERM)
        }
    }
}
