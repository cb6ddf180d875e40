import CProcShim
import ProcCore
import ProcTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shim's worker calls on real processes and sockets: what the prefork design
/// relies on from the kernel.
@Suite struct WorkerShimTests {
    /// A child blocked in accept on `listener`; it writes the errno its accept returned
    /// (0 for a connection) to `pipe`, then exits.
    private func childBlockedInAccept(_ listener: TCPListener, catchingStop: Bool, report fd: Int32) throws -> ChildProcess {
        let child = ChildProcess(name: "acceptor", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: listener.descriptor, fd)
            if catchingStop { _ = pc_worker_catch_stop(SIGTERM) }
            var connection: Int32 = -1
            var port: Int32 = 0
            var host = [CChar](repeating: 0, count: 64)
            var result = pc_worker_accept(listener.descriptor, &connection, &host, host.count, &port)
            if result == EINTR && !pc_worker_stop_requested() { result = -1 }
            var value = result
            _ = pc_write_all(fd, &value, MemoryLayout<Int32>.size)
        }
        try child.start()
        return child
    }

    private func readErrno(from fd: Int32) -> Int32? {
        let bytes = read(fd, exactly: MemoryLayout<Int32>.size)
        guard bytes.count == MemoryLayout<Int32>.size else { return nil }
        return bytes.withUnsafeBytes { $0.load(as: Int32.self) }
    }

    @Test func theStopSignalInterruptsABlockedAcceptWithEINTR() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd) }
        let child = try childBlockedInAccept(listener, catchingStop: true, report: writeEnd)
        _ = pc_close(writeEnd)
        defer { stop(child) }
        #expect(TestClock.waitUntil(timeout: 5) { procState(child.pid!) == "S" })
        try child.terminate()
        #expect(readErrno(from: readEnd) == EINTR)
        finish(child)
        #expect(child.exitCode == 0)
    }

    @Test func shuttingTheListenerDownWakesEveryBlockedAcceptWithEINVAL() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd) }
        let children = try (0..<3).map { _ in try childBlockedInAccept(listener, catchingStop: false, report: writeEnd) }
        _ = pc_close(writeEnd)
        defer { children.forEach(stop) }
        #expect(TestClock.waitUntil(timeout: 5) { children.allSatisfy { procState($0.pid!) == "S" } })
        #expect(pc_listener_stop_accepting(listener.descriptor) == 0)
        listener.close()
        let results = (0..<3).compactMap { _ in readErrno(from: readEnd) }
        #expect(results == [EINVAL, EINVAL, EINVAL])
        children.forEach { finish($0) }
    }

    @Test func aBlockedAcceptTakesTheConnectionWithItsPeer() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try TCPConnection(connectingTo: "127.0.0.1", port: listener.port)
        defer { client.close() }
        var fd: Int32 = -1
        var port: Int32 = 0
        var host = [CChar](repeating: 0, count: 64)
        #expect(pc_worker_accept(listener.descriptor, &fd, &host, host.count, &port) == 0)
        defer { _ = pc_close(fd) }
        #expect(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) == "127.0.0.1")
        #expect(port > 0)
    }

    @Test func aWorkerIsToldWhenItsParentDies() throws {
        // middle forks a grandchild that asks for SIGTERM at its parent's death and
        // reports it through the pipe; middle then exits.
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd) }
        let middle = ChildProcess(name: "middle", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: writeEnd)
            let parent = getpid()
            let grandchild = ChildProcess(name: "grandchild", threadPolicy: .allow) {
                _ = pc_worker_catch_stop(SIGTERM)
                var value: Int32 = pc_worker_die_with_parent(SIGTERM, parent)
                _ = pc_write_all(writeEnd, &value, MemoryLayout<Int32>.size)
                let deadline = pc_monotonic_ns() + 10_000_000_000
                while !pc_worker_stop_requested() && pc_monotonic_ns() < deadline {
                    var ready: Int32 = 0
                    _ = pc_poll(nil, 0, 10, &ready)
                }
                value = pc_worker_stop_requested() ? 1 : 0
                _ = pc_write_all(writeEnd, &value, MemoryLayout<Int32>.size)
            }
            try grandchild.start()
            var ready: Int32 = 0
            _ = pc_poll(nil, 0, 200, &ready)
            pc_child_exit(0)  // without waiting for the grandchild
        }
        try middle.start()
        _ = pc_close(writeEnd)
        finish(middle)
        #expect(readErrno(from: readEnd) == 0)
        #expect(readErrno(from: readEnd) == 1)
    }

    @Test func theActivityOfAProcessCountsItsCPUAndItsIO() throws {
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd) }
        let child = ChildProcess(name: "spinner", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: writeEnd)
            // 200 ms of its own CPU time, however busy the machine is (10 s at most).
            let deadline = pc_monotonic_ns() + 10_000_000_000
            var used = timespec()
            repeat {
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used)
            } while used.tv_sec == 0 && used.tv_nsec < 200_000_000 && pc_monotonic_ns() < deadline
            var value: Int32 = 0
            _ = pc_write_all(writeEnd, &value, MemoryLayout<Int32>.size)
            _ = pc_poll(nil, 0, 5_000, &value)
        }
        try child.start()
        _ = pc_close(writeEnd)
        defer { stop(child) }
        _ = readErrno(from: readEnd)
        var cpu: UInt64 = 0
        var io: UInt64 = 0
        #expect(pc_process_activity(child.pid!, &cpu, &io) == 0)
        #expect(cpu >= 150_000_000)  // counted in 10 ms ticks
        #expect(io >= 1)
    }
}
