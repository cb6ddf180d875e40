import CProcShim
import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// The body of one load worker process: takes connection numbers from the shared
/// counter until there are none left, runs each connection with blocking sockets, and
/// streams one record per connection to the parent through a pipe (see
/// `ConnectionFailure`).
///
/// It runs in a forked child, so it is plain synchronous code; its buffers are allocated
/// once, and the loop makes no Swift allocation per connection.
struct LoadWorker {
    let plan: LoadPlan
    let address: ServerAddress
    /// The worker's index, which varies the message's letters from worker to worker.
    let index: Int
    /// The next connection number, shared by all the workers.
    let counter: SharedCounter
    /// The write end of the pipe to the parent.
    let results: Int32
    /// Monotonic nanoseconds after which no connection is started.
    let deadline: Int64

    /// How often, at most, buffered records are sent to the parent for its progress line.
    private static let flushInterval: Int64 = 100_000_000
    private static let recordsPerFlush = 512

    /// Runs connections until none are left or the deadline has passed; throws only when
    /// the parent cannot be told.
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
        var pending = 0
        var lastFlush = pc_monotonic_ns()
        while counter.takeNext() < plan.connections {
            let now = pc_monotonic_ns()
            if now > deadline { break }
            records[pending] = connection(message: message, expected: expected, reply: reply)
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
        message: UnsafeMutablePointer<UInt8>,
        expected: UnsafeMutablePointer<UInt8>,
        reply: UnsafeMutablePointer<UInt8>
    ) -> Int64 {
        let started = pc_monotonic_ns()
        var rc: Int32 = 0
        let fd = openConnection(&rc)
        if fd < 0 { return ConnectionFailure(errno: rc).record }
        defer { _ = pc_close(fd) }
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

    /// A connected, blocking, close-on-exec socket, or -1 with the errno value in `rc`.
    /// The timeouts are set before connect: on Linux the send timeout bounds connect too
    /// (it then fails with EINPROGRESS), so a connection costs no more system calls than
    /// in the C load generator.
    private func openConnection(_ rc: inout Int32) -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 {
            rc = errno
            return -1
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        rc = pc_socket_set_timeout(fd, plan.socketTimeoutMilliseconds)
        if rc == 0 { rc = address.connect(fd) }
        if rc == EINTR { rc = finishInterruptedConnect(fd) }
        if rc != 0 {
            _ = pc_close(fd)
            return -1
        }
        return fd
    }

    /// An interrupted connect goes on in the kernel: wait for it as for a non-blocking one.
    private func finishInterruptedConnect(_ fd: Int32) -> Int32 {
        var revents: Int16 = 0
        let rc = pc_poll_one(fd, Int16(POLLOUT), plan.socketTimeoutMilliseconds, &revents)
        if rc != 0 { return rc }
        if revents == 0 { return ETIMEDOUT }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { return errno }
        return error
    }

    private func send(_ records: UnsafeMutablePointer<Int64>, count: Int) throws {
        guard count > 0 else { return }
        let rc = pc_write_all(results, records, count * MemoryLayout<Int64>.stride)
        if rc != 0 { throw ChildProcess.Exit(3) }
    }
}
