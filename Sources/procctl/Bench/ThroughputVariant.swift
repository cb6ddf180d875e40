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

    /// Starts a child that reads `total` messages, and returns the session that sends them.
    func start(total: Int) throws -> BenchSession {
        let message = [UInt8](repeating: 0x62, count: Self.messageSize)
        switch self {
        case .rawSocketpair:
            let fds = try RawChannel.socketpair()
            let channel = RawChannel(readEnd: fds[1], writeEnd: fds[0])
            let child = ChildProcess {
                var buffer = [UInt8](repeating: 0, count: Self.messageSize)
                for _ in 0..<total { try channel.read(into: &buffer) }
            }
            try child.start()
            return BenchSession(summary: summary, child: child, once: { try channel.write(message) },
                                closeParentEnds: fds.map { fd in { _ = pc_close(fd) } })
        case .connectionBytes:
            let pipe = try Pipe()
            let child = ChildProcess {
                pipe.first.close()
                for _ in 0..<total {
                    guard try pipe.second.receiveBytes().count == Self.messageSize else { throw BenchFailure("a short message") }
                }
            }
            try child.start()
            return BenchSession(summary: summary, child: child, once: { try pipe.first.sendBytes(message) },
                                closeParentEnds: [pipe.first.close, pipe.second.close])
        }
    }
}
