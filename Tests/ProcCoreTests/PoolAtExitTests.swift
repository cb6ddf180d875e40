import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A pool kept in a global for the life of the program (never dropped, never joined).
nonisolated(unsafe) private var globalPool: ProcessPool<Int, Int>?

extension ForkingTests {
    /// A program that exits holding a pool: its workers are stopped, as Python's daemonic
    /// pool workers are (bpo-38744), instead of the exit waiting for them for ever.
    @Suite struct PoolAtExitTests {
        @Test(arguments: DaemonTests.Ending.allCases)
        func aProgramHoldingAPoolInAGlobalExitsAndLeavesNoWorker(_ ending: DaemonTests.Ending) throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            // The child stands for a program: it keeps a pool in a global and leaves
            // without close() or join().
            let child = ChildProcess(name: "holds-a-pool", threadPolicy: .allow) {
                let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) in n + 1 }
                globalPool = pool
                guard try pool.map(0..<10) == Array(1...10), writePIDs(pool.workerPIDs, to: writeEnd) else {
                    throw ChildProcess.Exit(20)
                }
                switch ending {
                case .throwsExit: throw ChildProcess.Exit(5)
                case .callsExit: exit(3)
                }
            }
            try child.start()
            defer { stop(child) }
            let workers = try #require(readPIDs(2, from: readEnd))
            defer { for pid in workers { killIfOurs(pid) } }
            // The bound ends a hung exit; it measures nothing.
            finish(child, within: 30)
            #expect(child.exitCode == ending.expectedCode)
            for pid in workers {
                #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == nil }, "pool worker \(pid) outlived its program")
            }
        }
    }
}
