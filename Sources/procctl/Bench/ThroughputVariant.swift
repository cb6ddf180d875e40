import CProcShim
import ProcCore

/// One way of streaming 64 KiB messages to a forked child, timed by `procctl bench ipc`.
enum ThroughputVariant: CaseIterable {
    /// write(2) to a socketpair through the shim; the child reads each message whole.
    case rawSocketpair
    /// `Connection.sendBytes`; the child calls `receiveBytes`.
    case connectionBytes

    static let messageSize = 64 << 10

    var label: String {
        switch self {
        case .rawSocketpair: "raw_socketpair"
        case .connectionBytes: "connection_bytes"
        }
    }

    var summary: String {
        switch self {
        case .rawSocketpair: "raw socketpair, 64 KiB writes (same binary)"
        case .connectionBytes: "Connection sendBytes, 64 KiB messages"
        }
    }

    /// Sends `count` messages; MB/s from the first send until the child has read the last
    /// and exited.
    func measure(count: Int) throws -> Double {
        let message = [UInt8](repeating: 0x62, count: Self.messageSize)
        let child: ChildProcess
        let send: () throws -> Void
        let closeParentEnds: () -> Void
        switch self {
        case .rawSocketpair:
            let fds = try RawChannel.socketpair()
            let channel = RawChannel(readEnd: fds[1], writeEnd: fds[0])
            child = ChildProcess {
                var buffer = [UInt8](repeating: 0, count: Self.messageSize)
                for _ in 0..<count { try channel.read(into: &buffer) }
            }
            send = { try channel.write(message) }
            closeParentEnds = { for fd in fds { _ = pc_close(fd) } }
        case .connectionBytes:
            let pipe = try Pipe()
            child = ChildProcess {
                for _ in 0..<count {
                    guard try pipe.second.receiveBytes().count == Self.messageSize else { throw BenchFailure("a short message") }
                }
            }
            send = { try pipe.first.sendBytes(message) }
            closeParentEnds = { pipe.first.close(); pipe.second.close() }
        }
        let started = pc_monotonic_ns()
        try child.start()
        defer {
            closeParentEnds()
            try? child.kill()
            try? child.join()
        }
        for _ in 0..<count { try send() }
        try child.join()
        let elapsed = pc_monotonic_ns() - started
        if child.exitCode != 0 { throw BenchFailure("\(summary): the child exited \(child.exitCode ?? -1)") }
        return Double(count * Self.messageSize) / (Double(elapsed) / 1e9) / 1e6
    }
}
