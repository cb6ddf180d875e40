import CProcShim
@testable import ProcCore
import Testing

import Glibc

/// `ServerLog` with a stderr that takes nothing: it never waits, keeps what fits, and
/// says how many lines it dropped once stderr takes them again.
@Suite struct ServerLogStalledOutputTests {
    @Test("A full stderr pipe: record and flush return at once; later the kept lines come in order, then one line counting the dropped ones")
    func dropsAndCountsWithoutWaiting() throws {
        var output: [Int32] = [-1, -1]
        var phase: [Int32] = [-1, -1]
        var go: [Int32] = [-1, -1]
        #expect(pc_pipe(&output) == 0 && pc_pipe(&phase) == 0 && pc_pipe(&go) == 0)
        defer { for fd in output + phase + go where fd >= 0 { _ = pc_close(fd) } }
        _ = fcntl(output[0], 1031 /* F_SETPIPE_SZ */, 4096)
        let lines = 1000
        let (outputWrite, phaseWrite, goRead) = (output[1], phase[1], go[0])
        let child = ChildProcess(threadPolicy: .allow) {
            guard dup2(outputWrite, STDERR_FILENO) == STDERR_FILENO else { throw ChildProcess.Exit(2) }
            let log = ServerLog(format: .text)
            for index in 0..<lines {
                log.record(ConnectionEvent(peer: SocketAddress.tcp(host: "127.0.0.1", port: index), pid: pid_t(index)))
            }
            log.flush()
            var byte: UInt8 = 1
            _ = pc_write_all(phaseWrite, &byte, 1)
            var count = 0
            _ = pc_read(goRead, &byte, 1, &count)
            // The test reads now: flush as stderr takes it, waiting in poll, not in write.
            var rounds = 0
            while log.hasPending && rounds < 10_000 {
                log.flush()
                var revents: Int16 = 0
                _ = pc_poll_one(STDERR_FILENO, Int16(POLLOUT), 1000, &revents)
                rounds += 1
            }
            if log.hasPending { throw ChildProcess.Exit(3) }
        }
        try child.start()
        _ = pc_close(output[1]); output[1] = -1
        var revents: Int16 = 0
        #expect(pc_poll_one(phase[0], Int16(POLLIN), 30_000, &revents) == 0 && revents != 0, "the log blocked on a full pipe")
        var byte: UInt8 = 1
        _ = pc_write_all(go[1], &byte, 1)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while pc_poll_one(output[0], Int16(POLLIN), 30_000, &revents) == 0, revents != 0 {
            var count = 0
            guard chunk.withUnsafeMutableBytes({ pc_read(output[0], $0.baseAddress, $0.count, &count) }) == 0, count > 0 else { break }
            received += chunk[0..<count]
        }
        if try !child.join(timeout: .seconds(30)) { try child.kill(); try child.join() }
        #expect(child.exitCode == 0)
        let text = String(decoding: received, as: UTF8.self).split(separator: "\n").map(String.init)
        let kept = text.filter { $0.hasPrefix("connection from ") }
        #expect(kept == (0..<kept.count).map { "connection from 127.0.0.1:\($0): child \($0)" })
        let notices = text.filter { $0.contains("log lines dropped") }
        #expect(notices.count == 1 && text.last == notices.first, "\(text.suffix(3))")
        let dropped = notices.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        #expect(dropped > 0 && kept.count > 100, "kept \(kept.count), dropped \(dropped)")
        #expect(kept.count + dropped == lines)
    }
}
