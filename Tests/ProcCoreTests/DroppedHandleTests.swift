import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// A child whose handle is dropped is never left a zombie.
    @Suite struct DroppedHandleTests {
        /// Starts a child running `body`, lets `whileHeld` run while the handle lives, then
        /// drops the handle (it is released when this function returns) and gives the pid.
        @inline(never)
        private func startAndDrop(_ body: @escaping () throws -> Void, whileHeld: (pid_t) -> Void = { _ in }) throws -> pid_t {
            let child = ChildProcess(threadPolicy: .allow, body)
            try child.start()
            let pid = try #require(child.pid)
            withExtendedLifetime(child) { whileHeld(pid) }
            return pid
        }

        @Test func childThatEndedBeforeTheDropIsReaped() throws {
            let pid = try startAndDrop({}) { pid in
                // A zombie at drop time: ended, not yet reaped.
                #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == "Z" })
            }
            #expect(procState(pid) == nil, "still in the process table: \(procState(pid).map(String.init) ?? "-")")
            #expect(isNotOurChild(pid))
        }

        @Test func childRunningAtTheDropIsReapedByReapDroppedChildren() throws {
            let pid = try startAndDrop({ usleep(300_000) }) { pid in
                #expect(procState(pid) != "Z" && procState(pid) != nil)
            }
            defer { killIfOurs(pid); ChildProcess.reapDroppedChildren() }
            // Still running just after the drop: the handle did not kill or wait for it.
            #expect(procState(pid) != nil)
            // It ends by itself; nobody waits for it yet, except perhaps another test's start().
            #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == "Z" || procState(pid) == nil })
            ChildProcess.reapDroppedChildren()
            #expect(procState(pid) == nil)
            #expect(isNotOurChild(pid))
        }

        @Test func childRunningAtTheDropIsReapedByTheNextStart() throws {
            let pid = try startAndDrop({ usleep(300_000) })
            defer { killIfOurs(pid); ChildProcess.reapDroppedChildren() }
            #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == "Z" || procState(pid) == nil })
            let next = ChildProcess(threadPolicy: .allow) {}
            try next.start()
            defer { stop(next) }
            #expect(procState(pid) == nil)
            #expect(isNotOurChild(pid))
            try next.join()
            #expect(next.exitCode == 0)
        }

        @Test func reapDroppedChildrenCountsTheOnesStillRunning() throws {
            let pid = try startAndDrop({ sleep(30) })
            defer { killIfOurs(pid); ChildProcess.reapDroppedChildren() }
            // Ours at least; other tests may have dropped handles too.
            #expect(ChildProcess.reapDroppedChildren() >= 1)
            #expect(procState(pid) != nil && procState(pid) != "Z")
            killIfOurs(pid)
            #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == "Z" || procState(pid) == nil })
            ChildProcess.reapDroppedChildren()
            #expect(procState(pid) == nil)
            #expect(isNotOurChild(pid))
        }
    }
}
