import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// The shim's worker calls on real processes and sockets: what the prefork design
/// relies on from the kernel.
@Suite struct WorkerShimTests {
    /// A child blocked in accept on `listener`; it writes the errno its accept returned
    /// (0 for a connection) to `pipe`, then exits.
    private func childBlockedInAccept(_ listener: SocketListener, catchingStop: Bool, report fd: Int32) throws -> ChildProcess {
        let child = ChildProcess(name: "acceptor", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: listener.rawDescriptor, fd)
            if catchingStop { _ = pc_stop_signal_catch(SIGTERM) }
            var connection: Int32 = -1
            var port: Int32 = 0
            var host = [CChar](repeating: 0, count: 64)
            var result = pc_accept(listener.rawDescriptor, PC_ACCEPT_INTERRUPTIBLE, &connection, &host, host.count, &port)
            if result == EINTR && !pc_stop_signal_arrived() { result = -1 }
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
        let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
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
        let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd) }
        let children = try (0..<3).map { _ in try childBlockedInAccept(listener, catchingStop: false, report: writeEnd) }
        _ = pc_close(writeEnd)
        defer { children.forEach(stop) }
        #expect(TestClock.waitUntil(timeout: 5) { children.allSatisfy { procState($0.pid!) == "S" } })
        #expect(pc_listener_stop_accepting(listener.rawDescriptor) == 0)
        listener.close()
        let results = (0..<3).compactMap { _ in readErrno(from: readEnd) }
        #expect(results == [EINVAL, EINVAL, EINVAL])
        children.forEach { finish($0) }
    }

    @Test func aBlockedAcceptTakesTheConnectionWithItsPeer() throws {
        let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let client = try SocketConnection(connectingTo: .tcp(host: "127.0.0.1", port: listener.port))
        var fd: Int32 = -1
        var port: Int32 = 0
        var host = [CChar](repeating: 0, count: 64)
        #expect(pc_accept(listener.rawDescriptor, PC_ACCEPT_INTERRUPTIBLE, &fd, &host, host.count, &port) == 0)
        defer { _ = pc_close(fd) }
        #expect(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) == "127.0.0.1")
        #expect(port > 0)
        client.close()
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
                _ = pc_stop_signal_catch(SIGTERM)
                var value: Int32 = pc_die_with_parent(SIGTERM, parent)
                _ = pc_write_all(writeEnd, &value, MemoryLayout<Int32>.size)
                let deadline = pc_monotonic_ns() + 10_000_000_000
                while !pc_stop_signal_arrived() && pc_monotonic_ns() < deadline {
                    var ready: Int32 = 0
                    _ = pc_poll(nil, 0, 10, &ready)
                }
                value = pc_stop_signal_arrived() ? 1 : 0
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

    @Test func theIOCallsOfAWorkerCountThoseOfItsProgram() throws {
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd) }
        // The worker makes no call of its own; its child (its program) writes 3 times, then waits.
        let worker = ChildProcess(name: "worker", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: writeEnd)
            let program = ChildProcess(name: "program", threadPolicy: .allow) {
                for value: Int32 in 1...3 {
                    var copy = value
                    _ = pc_write_all(writeEnd, &copy, MemoryLayout<Int32>.size)
                }
                var ready: Int32 = 0
                _ = pc_poll(nil, 0, 10_000, &ready)
            }
            try program.start()
            try program.join()
        }
        try worker.start()
        _ = pc_close(writeEnd)
        defer { stop(worker) }
        #expect((1...3).map { _ in readErrno(from: readEnd) } == [1, 2, 3])
        var calls: UInt64 = 0
        #expect(pc_process_tree_io_calls(worker.pid!, &calls) == 0)
        #expect(calls >= 3)
    }

    /// How a child of the test waits in `waitsForClient`.
    enum Wait: String, CaseIterable {
        case readingTheSocket, pollingTheSocket, epollOnTheSocket, readingAPipe, stoppedReadingTheSocket
    }

    @Test(arguments: Wait.allCases)
    func aWorkerWaitsForItsClientOnlyAsleepOnItsSocket(_ wait: Wait) throws {
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        defer { pair.forEach { _ = pc_close($0) } }
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
        let socket = pair[1]
        let child = ChildProcess(name: "waiter", threadPolicy: .allow) {
            closeInheritedDescriptors(keeping: socket, readEnd)
            var byte: UInt8 = 0
            switch wait {
            case .readingTheSocket, .stoppedReadingTheSocket:
                _ = Glibc.read(socket, &byte, 1)
            case .pollingTheSocket:
                var entry = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, 30_000)
            case .epollOnTheSocket:
                var set: Int32 = -1
                var token: UInt64 = 0
                var count: Int32 = 0
                _ = pc_epoll_create(&set)
                _ = pc_epoll_watch_readable(set, socket, 1)
                _ = pc_epoll_wait(set, &token, 1, 30_000, &count)
            case .readingAPipe:
                _ = Glibc.read(readEnd, &byte, 1)
            }
        }
        try child.start()
        defer { stop(child) }
        let pid = try #require(child.pid)
        var inode: UInt64 = 0
        #expect(pc_descriptor_inode(socket, &inode) == 0)
        // Asleep in its system call (a look at /proc/PID/syscall until it is there).
        let asleep = TestClock.waitUntil(timeout: 10) {
            let fd = open("/proc/\(pid)/syscall", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { _ = pc_close(fd) }
            let text = String(decoding: drain(fd), as: UTF8.self)
            return procState(pid) == "S" && !text.hasPrefix("running") && !text.hasPrefix("-1")
        }
        try #require(asleep)
        if wait == .stoppedReadingTheSocket {
            #expect(kill(pid, SIGSTOP) == 0)
            #expect(TestClock.waitUntil(timeout: 10) { procState(pid) == "T" })
        }
        var waiting = false
        #expect(pc_process_tree_waits_on_socket(pid, inode, &waiting) == 0)
        let expected = [.readingTheSocket, .pollingTheSocket, .epollOnTheSocket].contains(wait)
        #expect(waiting == expected)
    }
}
