import CProcShim
import ProcCore

/// One way of sending a 64-byte message to a forked child and getting it back, timed by
/// `procctl bench ipc`.
enum RoundTripVariant: CaseIterable {
    /// Two pipes, read(2) and write(2) through the shim: the floor.
    case rawPipe
    /// One socketpair, read(2) and write(2) through the shim.
    case rawSocketpair
    /// `Connection.sendBytes` / `receiveBytes` over a `Pipe()`.
    case connectionBytes
    /// `Connection.send` / `receive` of a `BenchMessage` (encoded, decoded on both sides).
    case connectionCodable
    /// `ProcessQueue.put` / `get` of 64 bytes, one queue each way.
    case queue
    /// `Connection.sendBytes` / `receiveBytes` over two one-way `Pipe(duplex: false)`s:
    /// Connection's own cost beside the raw pipe loop, without the socket's.
    case connectionBytesOverPipes

    /// Whether the variant has a key in `--json` (whose shape the issue fixes).
    var isInJSON: Bool { self != .connectionBytesOverPipes }

    /// The message size of the raw and bytes variants.
    static let messageSize = 64
    /// Round trips before the timed ones: the child's first page faults.
    static let warmUp = 50

    /// The variant's key in the JSON.
    var label: String {
        switch self {
        case .rawPipe: "raw_pipe"
        case .rawSocketpair: "raw_socketpair"
        case .connectionBytes: "connection_bytes"
        case .connectionCodable: "connection_codable"
        case .queue: "queue"
        case .connectionBytesOverPipes: "connection_bytes_pipes"
        }
    }

    /// What the variant does, in words.
    var summary: String {
        switch self {
        case .rawPipe: "raw pipe write+read (same binary)"
        case .rawSocketpair: "raw socketpair write+read (same binary)"
        case .connectionBytes: "Connection sendBytes+receiveBytes"
        case .connectionCodable: "Connection send+receive (Codable)"
        case .queue: "ProcessQueue put+get"
        case .connectionBytesOverPipes: "Connection bytes over 2 one-way pipes"
        }
    }

    /// Starts a child that answers `total` round trips of this variant, and returns the
    /// session that makes them.
    func start(total: Int) throws -> BenchSession {
        let message = [UInt8](repeating: 0x61, count: Self.messageSize)
        let child: ChildProcess
        let once: () throws -> Void
        var parentEnds: [() -> Void] = []
        switch self {
        case .rawPipe, .rawSocketpair:
            let (toChild, fromChild) = self == .rawPipe
                ? (try RawChannel.pipe(), try RawChannel.pipe())
                : RawChannel.sharedSocketpair(try RawChannel.socketpair())
            child = ChildProcess {
                var buffer = [UInt8](repeating: 0, count: Self.messageSize)
                for _ in 0..<total {
                    try toChild.read(into: &buffer)
                    try fromChild.write(buffer)
                }
            }
            var buffer = [UInt8](repeating: 0, count: Self.messageSize)
            once = {
                try toChild.write(message)
                try fromChild.read(into: &buffer)
            }
            parentEnds = RawChannel.descriptors(toChild, fromChild).map { fd in { _ = pc_close(fd) } }
        case .connectionBytes, .connectionCodable:
            let pipe = try Pipe()
            let codable = self == .connectionCodable
            child = ChildProcess {
                pipe.first.close()
                for _ in 0..<total {
                    if codable {
                        try pipe.second.send(try pipe.second.receive(BenchMessage.self))
                    } else {
                        try pipe.second.sendBytes(try pipe.second.receiveBytes())
                    }
                }
            }
            once = {
                if codable {
                    try pipe.first.send(BenchMessage.sample)
                    guard try pipe.first.receive(BenchMessage.self) == BenchMessage.sample else { throw BenchFailure("the message came back changed") }
                } else {
                    try pipe.first.sendBytes(message)
                    guard try pipe.first.receiveBytes().count == Self.messageSize else { throw BenchFailure("the message came back changed") }
                }
            }
            parentEnds = [pipe.first.close, pipe.second.close]
        case .connectionBytesOverPipes:
            let down = try Pipe(duplex: false)
            let up = try Pipe(duplex: false)
            child = ChildProcess {
                down.second.close()
                up.first.close()
                for _ in 0..<total { try up.second.sendBytes(try down.first.receiveBytes()) }
            }
            once = {
                try down.second.sendBytes(message)
                guard try up.first.receiveBytes().count == Self.messageSize else { throw BenchFailure("the message came back changed") }
            }
            parentEnds = [down.first.close, down.second.close, up.first.close, up.second.close]
        case .queue:
            let toChild = try ProcessQueue<[UInt8]>()
            let fromChild = try ProcessQueue<[UInt8]>()
            child = ChildProcess {
                for _ in 0..<total { try fromChild.put(try toChild.get()) }
            }
            once = {
                try toChild.put(message)
                guard try fromChild.get().count == Self.messageSize else { throw BenchFailure("the message came back changed") }
            }
        }
        try child.start()
        return BenchSession(summary: summary, child: child, once: once, closeParentEnds: parentEnds)
    }
}
