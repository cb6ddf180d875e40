import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// More live children than the registry's one-page table holds (its overflow path).
    @Suite struct ManyChildrenTests {
        @Test func fourHundredLiveChildrenAreAllJoinedAndReaped() throws {
            let count = 400
            #expect(count > 330, "the test must overflow the registry's page of slots")
            // Every child blocks on this pipe until the test closes its write end.
            let (gateRead, gateWrite) = try makePipe()
            var gateOpen = true
            var children: [ChildProcess] = []
            defer {
                _ = pc_close(gateRead)
                if gateOpen { _ = pc_close(gateWrite) }
                for child in children { stop(child) }
            }
            for index in 0..<count {
                let child = ChildProcess(threadPolicy: .allow) {
                    var byte: UInt8 = 0
                    var read = 0
                    _ = pc_close(gateWrite)
                    _ = pc_read(gateRead, &byte, 1, &read)
                    throw ChildProcess.Exit(Int32(index % 200))
                }
                try child.start()
                children.append(child)
            }
            #expect(try children.allSatisfy { try $0.isAlive })
            _ = pc_close(gateWrite)
            gateOpen = false
            for child in children { finish(child, within: 20) }
            for (index, child) in children.enumerated() {
                #expect(child.exitCode == Int32(index % 200))
                let pid = try #require(child.pid)
                #expect(procState(pid) == nil, "child \(pid) is still in the process table")
            }
        }
    }
}
