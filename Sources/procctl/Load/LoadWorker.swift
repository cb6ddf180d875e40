import CProcShim
import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// The body of one load worker process: runs its share of the connections one after
/// another with blocking sockets, and streams one record per connection to the parent
/// through a pipe (see `ConnectionFailure`).
///
/// It runs in a forked child, so it is plain synchronous code; its buffers are allocated
/// once, and the loop makes no Swift allocation per connection.
struct LoadWorker {
    let plan: LoadPlan
    /// The worker's index, which varies the message's letters from worker to worker.
    let index: Int
    /// The write end of the pipe to the parent.
    let results: Int32
    /// Monotonic nanoseconds after which no connection is started.
    let deadline: Int64

    /// How often, at most, buffered records are sent to the parent for its progress line.
    private static let flushInterval: Int64 = 100_000_000
    private static let recordsPerFlush = 512

    /// Runs the worker's connections; throws only when the parent cannot be told.
    func run() throws {
        let size = plan.size
        let message = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        let expected = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        let reply = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        let records = UnsafeMutablePointer<Int64>.allocate(capacity: Self.recordsPerFlush)
        defer {
            message.deallocate()
            expected.deallocate()
            reply.deallocate()
            records.deallocate()
        }
        // Lower-case letters, so that a server that does not upper-case gives wrong replies.
        for i in 0..<size {
            let letter = UInt8(ascii: "a") + UInt8((i * 7 + index) % 26)
            message[i] = letter
            expected[i] = letter - 32
        }
        let host = Array(plan.host.utf8CString)
        let port = Int32(plan.port)

        var pending = 0
        var lastFlush = pc_monotonic_ns()
        for _ in 0..<plan.share(ofWorker: index) {
            let now = pc_monotonic_ns()
            if now > deadline { break }
            records[pending] = host.withUnsafeBufferPointer { host in
                connection(host: host.baseAddress!, port: port, message: message, expected: expected, reply: reply)
            }
            pending += 1
            if pending == Self.recordsPerFlush || now - lastFlush > Self.flushInterval {
                try send(records, count: pending)
                pending = 0
                lastFlush = now
            }
        }
        try send(records, count: pending)
    }

    /// One connection: connect, send each message and check its reply, close.
    /// Returns the latency in nanoseconds, connect included, or a failure's record.
    private func connection(
        host: UnsafePointer<CChar>,
        port: Int32,
        message: UnsafeMutablePointer<UInt8>,
        expected: UnsafeMutablePointer<UInt8>,
        reply: UnsafeMutablePointer<UInt8>
    ) -> Int64 {
        let started = pc_monotonic_ns()
        let timeout = plan.socketTimeoutMilliseconds
        var fd: Int32 = -1
        var rc = pc_tcp_connect(host, port, timeout, &fd)
        if rc != 0 { return ConnectionFailure(errno: rc).record }
        defer { _ = pc_close(fd) }
        rc = pc_socket_set_timeout(fd, timeout)
        if rc != 0 { return ConnectionFailure(errno: rc).record }
        let size = plan.size
        for _ in 0..<plan.messages {
            rc = pc_write_all(fd, message, size)
            if rc != 0 { return ConnectionFailure(errno: rc).record }
            var received = 0
            rc = pc_read_full(fd, reply, size, &received)
            if rc != 0 { return ConnectionFailure(errno: rc).record }
            if received < size { return ConnectionFailure.closedEarly.record }
            if memcmp(reply, expected, size) != 0 { return ConnectionFailure.wrongReply.record }
        }
        return pc_monotonic_ns() - started
    }

    private func send(_ records: UnsafeMutablePointer<Int64>, count: Int) throws {
        guard count > 0 else { return }
        let rc = pc_write_all(results, records, count * MemoryLayout<Int64>.stride)
        if rc != 0 { throw ChildProcess.Exit(3) }
    }
}
