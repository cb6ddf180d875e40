import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `serve --pid-file` in a folder where someone else can write: nothing they plant there
/// makes the server write through a symlink or over a file.
@Suite("procctl serve --pid-file: planted symlinks", .timeLimit(.minutes(1)))
struct PidFileServeTests {
    /// How many of the next pids get a planted symlink: the server's is among them unless
    /// that many processes start on the machine between the plant and the server's start.
    private static let plantedPIDs = 3000
    /// How many times the test plants and starts the server before it gives up.
    private static let attempts = 3

    @Test("symlinks planted at PATH.<pid>.tmp for the next pids are neither followed nor removed", arguments: [
        ["--workers", "2"], [],
    ])
    func plantedSymlinksAreNotFollowed(model: [String]) throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path + "/victim"
        let precious = Array("precious\n".utf8)
        let fd = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        _ = precious.withUnsafeBytes { pc_write_all(fd, $0.baseAddress, $0.count) }
        _ = pc_close(fd)
        let path = directory.path + "/serve.pid"
        // Other tests fork meanwhile (a fork-mode load runs thousands of children a second):
        // when the server's pid was not among those planted, plant again, a few times.
        for _ in 0..<Self.attempts {
            // The temporary name the server once used was PATH.<its pid>.tmp: plant one for
            // each pid the kernel is about to hand out (after the last one, wrapping at pid_max).
            let pids = try Self.nextPIDs(count: Self.plantedPIDs)
            for pid in pids { _ = symlink(victim, "\(path).\(pid).tmp") }
            let server = try RunningServer(model + ["--pid-file", path])
            defer { server.stop() }
            guard pids.contains(server.pid) else {
                server.program.send(signal: SIGTERM)
                _ = server.program.exitCode(timeout: 20)
                for pid in pids { unlink("\(path).\(pid).tmp") }
                continue
            }
            #expect(TestClock.waitUntil(timeout: 10) { PidFileContents.pid(at: path) == server.pid })
            #expect(FileSystem.contents(ofFile: victim) == precious, "the server wrote through a planted symlink")
            var status = stat()
            #expect(lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG, "the pid file is not a file of its own")
            #expect(lstat("\(path).\(server.pid).tmp", &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK,
                    "the symlink at the server's own old name was replaced")
            // The planted symlinks, the victim and the pid file: the server left nothing else.
            #expect(directory.entries().count == Set(pids).count + 2)
            server.program.send(signal: SIGTERM)
            #expect(server.program.exitCode(timeout: 20) == 0)
            #expect(PidFileContents.pid(at: path) == nil, "the pid file is still there")
            #expect(FileSystem.contents(ofFile: victim) == precious)
            return
        }
        Issue.record("in \(Self.attempts) attempts, the server's pid was never among the \(Self.plantedPIDs) planted")
    }

    /// The `count` pids the kernel hands out next in this pid namespace, if nothing else
    /// forks meanwhile.
    private static func nextPIDs(count: Int) throws -> [pid_t] {
        guard let last = Self.number(in: "/proc/sys/kernel/ns_last_pid"),
              let maximum = Self.number(in: "/proc/sys/kernel/pid_max")
        else { throw HarnessError("cannot read the last pid or pid_max") }
        // Past pid_max the kernel starts again above 300 (RESERVED_PIDS).
        return (1...count).map { offset in
            let pid = last + offset
            return pid_t(pid < maximum ? pid : 300 + (pid - maximum) % (maximum - 300))
        }
    }

    private static func number(in file: String) -> Int? {
        FileSystem.contents(ofFile: file).flatMap { Int(String(decoding: $0, as: UTF8.self).split(separator: "\n").first ?? "") }
    }
}
