import CProcShim
import ProcTestSupport
import Testing

import Glibc

extension ShimTests {
    /// pc_spawn_with_listener: the new master of a binary upgrade gets the listener at fd 3, the
    /// ready pipe at fd 4, LISTEN_PID set to its own pid, and an exec error comes back as errno.
    @Suite struct SpawnWithListenerTests {
        private func exec(_ argv: [String], listener: Int32, readyWriteEnd: Int32, path: String? = nil) -> (rc: Int32, pid: pid_t) {
            let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            let environment: [UnsafeMutablePointer<CChar>?] = ["LISTEN_FDS=1", "PATH=/usr/bin:/bin"].map { (entry: String) in strdup(entry) } + [nil]
            defer { (arguments + environment).forEach { free($0) } }
            var pid: pid_t = 0
            let rc = pc_spawn_with_listener(path ?? argv[0], arguments, environment, 2, listener, readyWriteEnd, &pid)
            return (rc, pid)
        }

        @Test func childFindsItsListenerPipeAndPid() throws {
            var listener: Int32 = -1
            var port: Int32 = 0
            try #require(pc_tcp_listen("127.0.0.1", 0, 16, &listener, &port) == 0)
            defer { _ = pc_close(listener) }
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            // The script writes what it sees to the pipe at fd 4: its LISTEN_PID against its
            // own pid, the variables, and what fd 3 is.
            let script = """
                printf '%s %s %s ' "$LISTEN_PID" "$$" "$LISTEN_FDS" >&4
                if [ -S /proc/self/fd/3 ]; then printf socket >&4; else printf none >&4; fi
                """
            let (rc, pid) = exec(["/bin/sh", "-c", script], listener: listener, readyWriteEnd: writeEnd)
            _ = pc_close(writeEnd)
            try #require(rc == 0, "pc_spawn_with_listener: \(rc)")
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0)
            let words = text(drain(readEnd)).split(separator: " ").map(String.init)
            #expect(words == ["\(pid)", "\(pid)", "1", "socket"])
        }

        @Test func execErrorIsReturned() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            let (rc, _) = exec(["/nonexistent/procctl"], listener: readEnd, readyWriteEnd: writeEnd)
            #expect(rc == ENOENT)
        }
    }
}
