import ProcCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// --pid-file: written whole, removed only while it holds this process's pid.
@Suite struct PidFileTests {
    private func freshPath() -> String { "/tmp/procctl-pidfile-\(getpid())-\(UInt64.random(in: 0...UInt64.max))" }

    @Test func writtenAndRemovedByItsOwner() throws {
        let file = PidFile(path: freshPath())
        try file.write()
        #expect(file.readPID() == getpid())
        #expect(file.removeIfOwned())
        #expect(access(file.path, F_OK) != 0, "the pid file is still there")
        #expect(file.readPID() == nil)
    }

    @Test func aFileHoldingAnotherPidIsLeftAlone() throws {
        let path = freshPath()
        defer { unlink(path) }
        let other = PidFile(path: path)
        try other.write()
        // Another process (a new master after an upgrade) writes its pid there.
        let handle = fopen(path, "w")
        fputs("1\n", handle)
        fclose(handle)
        #expect(PidFile(path: path).removeIfOwned() == false)
        #expect(PidFile(path: path).readPID() == 1)
    }

    @Test func anUnwritableFolderIsATypedError() {
        let error = processError { try PidFile(path: "/proc/procctl-\(getpid()).pid").write() }
        #expect(error?.code == .systemCall)
        #expect(error?.description.contains("pid file") == true)
    }
}
