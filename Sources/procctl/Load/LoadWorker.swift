import ProcCore
import SystemPackage

import Glibc  // memcmp

/// The body of one load worker process: takes connection numbers from the shared
/// counter until there are none left (or, in a timed run, until the time is up), runs
/// each connection with blocking sockets, and streams one record per connection to the
/// parent through a pipe (see `LoadRecord`).
///
/// It runs in a forked child, so it is plain synchronous code; its buffers are allocated
/// once, and the loop makes no Swift allocation per connection.
struct LoadWorker {
    let plan: LoadPlan
    /// The worker's index, which varies the message's letters from worker to worker.
    let index: Int
    /// The next connection number, shared by all the workers.
    let counter: SharedValue<Int>
    /// The write end of the pipe to the parent.
    let results: FileDescriptor
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
        // Each record is two integers (`LoadRecord`): its start, then its result.
        let records = UnsafeMutablePointer<Int64>.allocate(capacity: 2 * Self.recordsPerFlush)
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
        var lastFlush = MonotonicClock.nanoseconds()
        // A timed run's clock starts when the gate lets this worker go, as it does for the
        // other workers to within a scheduling delay.
        let timeIsUp = plan.durationNanoseconds.map { lastFlush + $0 } ?? Int64.max
        while try mayStartConnection() {
            let now = MonotonicClock.nanoseconds()
            if now > deadline || now >= timeIsUp { break }
            records[2 * pending] = now
            records[2 * pending + 1] = connection(startedAt: now, message: message, expected: expected, reply: reply)
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
        startedAt started: Int64,
        message: UnsafeMutablePointer<UInt8>,
        expected: UnsafeMutablePointer<UInt8>,
        reply: UnsafeMutablePointer<UInt8>
    ) -> Int64 {
        let connection: SocketConnection
        do {
            // The timeouts are set before connect, which they then bound too: a connection
            // costs no more system calls than in the C load generator.
            connection = try SocketConnection(connectingTo: plan.address, timeout: .milliseconds(plan.socketTimeoutMilliseconds), noDelay: true)
        } catch {
            return ConnectionFailure(error).record
        }
        let size = plan.size
        for _ in 0..<plan.messages {
            do {
                try connection.writeAll(UnsafeRawBufferPointer(start: message, count: size))
                let received = try connection.readFully(into: UnsafeMutableRawBufferPointer(start: reply, count: size))
                if received < size { return ConnectionFailure.closedEarly.record }
            } catch {
                return ConnectionFailure(error).record
            }
            if memcmp(reply, expected, size) != 0 { return ConnectionFailure.wrongReply.record }
        }
        return MonotonicClock.nanoseconds() - started
    }

    /// Whether another connection is due: in a connection-counted run, takes the next
    /// connection's number, counted across the workers; a timed run ends on its clock only.
    private func mayStartConnection() throws -> Bool {
        guard let connections = plan.connections else { return true }
        let next = try counter.withLock { next in
            defer { next += 1 }
            return next
        }
        return next < connections
    }

    private func send(_ records: UnsafeMutablePointer<Int64>, count: Int) throws {
        guard count > 0 else { return }
        do {
            try results.writeAllBytes(UnsafeRawBufferPointer(start: records, count: count * LoadRecord.size))
        } catch {
            throw ChildProcess.Exit(3)
        }
    }
}
