import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// A global with a constant initial value: it lives in the test binary's data segment, a
/// private file mapping, until it is written.
nonisolated(unsafe) private var dataSegmentWord: UInt64 = 0x5EED_5EED

extension ShimTests {
    /// pc_drop_unwritten_file_pages.
    @Suite struct MemoryTests {
        @Test func droppingUnwrittenFilePagesKeepsWhatWasWritten() throws {
            // In a child, which has one thread: the call refuses a process with more.
            let pid = try forkChild {
                dataSegmentWord = 0xC0FFEE
                var dropped = 0
                guard pc_drop_unwritten_file_pages(&dropped) == 0 else { return 10 }
                // The binary's and the libraries' data segments had pages read and never written.
                guard dropped > 0 else { return 11 }
                // The written page was a copy: it is not mapped back from the file.
                guard dataSegmentWord == 0xC0FFEE else { return 12 }
                // Pages dropped are mapped back on use: a second call finds fewer.
                var again = 0
                guard pc_drop_unwritten_file_pages(&again) == 0, again < dropped else { return 13 }
                return 0
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "child exit code \(status.code): 10 refused, 11 nothing dropped, 12 a written page lost, 13 no fewer the second time")
        }

        @Test func droppingUnwrittenFilePagesIsRefusedWithOtherThreads() throws {
            try withExtraThread {
                var dropped = 7
                #expect(pc_drop_unwritten_file_pages(&dropped) == EBUSY)
                #expect(dropped == 0)
            }
        }
    }
}
