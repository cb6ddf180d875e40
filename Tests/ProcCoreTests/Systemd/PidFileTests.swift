import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

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

    @Test func aSymlinkOrFileAtTheOldTemporaryNameIsNeitherFollowedNorTruncated() throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path + "/victim"
        try writeFile(victim, "precious\n")
        let path = directory.path + "/serve.pid"
        // The names the temporary file once had (PATH.<pid>.tmp): a symlink to the victim,
        // and a file of someone else's.
        #expect(symlink(victim, "\(path).\(getpid()).tmp") == 0)
        try writeFile("\(path).\(getpid() + 1).tmp", "theirs\n")
        let file = PidFile(path: path)
        try file.write()
        try file.checkWritable()
        try file.write()
        #expect(readFile(victim) == "precious\n", "the victim was written through the symlink")
        #expect(readFile("\(path).\(getpid() + 1).tmp") == "theirs\n")
        #expect(file.readPID() == getpid())
        #expect(isSymlink("\(path).\(getpid()).tmp"), "the planted symlink was replaced")
        #expect(!isSymlink(path), "the pid file is the planted symlink")
        // Nothing of the server's own is left behind: the pid file and what was planted.
        #expect(Set(directory.entries()) == ["serve.pid", "serve.pid.\(getpid()).tmp", "serve.pid.\(getpid() + 1).tmp", "victim"])
    }

    @Test func aPidFilePathThatIsASymlinkIsReplacedNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path + "/victim"
        try writeFile(victim, "precious\n")
        let path = directory.path + "/serve.pid"
        #expect(symlink(victim, path) == 0)
        let file = PidFile(path: path)
        try file.write()
        // rename replaces the link itself: the pid file becomes a file of its own.
        #expect(!isSymlink(path))
        #expect(file.readPID() == getpid())
        #expect(readFile(victim) == "precious\n")
        #expect(file.removeIfOwned())
        #expect(readFile(victim) == "precious\n")
        #expect(directory.entries() == ["victim"])
    }

    @Test func checkingTheFolderLeavesNothingBehind() throws {
        let directory = try TemporaryDirectory()
        try PidFile(path: directory.path + "/serve.pid").checkWritable()
        #expect(directory.entries().isEmpty)
    }

    @Test func anUnwritableFolderIsATypedError() {
        let error = processError { try PidFile(path: "/proc/procctl-\(getpid()).pid").write() }
        #expect(error?.code == .systemCall)
        #expect(error?.description.contains("pid file") == true)
    }

    private func writeFile(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HarnessError("cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ pc_write_all(fd, $0.baseAddress, $0.count) }) == 0 else {
            throw HarnessError("cannot write \(path)")
        }
    }

    private func readFile(_ path: String) -> String? {
        guard let handle = fopen(path, "r") else { return nil }
        defer { fclose(handle) }
        var buffer = [CChar](repeating: 0, count: 256)
        let count = fread(&buffer, 1, buffer.count - 1, handle)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func isSymlink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
    }
}
