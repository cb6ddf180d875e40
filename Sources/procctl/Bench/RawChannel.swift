import CProcShim
import ProcCore

/// One direction of a raw pipe or socket, read and written through the shim alone: what
/// `procctl bench ipc` compares ProcCore's Connection with.
struct RawChannel {
    let readEnd: Int32
    let writeEnd: Int32

    static func pipe() throws(ProcessError) -> RawChannel {
        var fds: [Int32] = [-1, -1]
        try check("pipe2", pc_pipe(&fds))
        return RawChannel(readEnd: fds[0], writeEnd: fds[1])
    }

    /// A socketpair's two ends, one direction each: (to the child, from the child).
    static func socketpair() throws(ProcessError) -> [Int32] {
        var fds: [Int32] = [-1, -1]
        try check("socketpair", pc_socketpair(&fds))
        return fds
    }

    /// The two directions of one socketpair: the parent uses `fds[0]`, the child `fds[1]`.
    static func sharedSocketpair(_ fds: [Int32]) -> (RawChannel, RawChannel) {
        (RawChannel(readEnd: fds[1], writeEnd: fds[0]), RawChannel(readEnd: fds[0], writeEnd: fds[1]))
    }

    /// Reads exactly `buffer.count` bytes.
    func read(into buffer: inout [UInt8]) throws {
        var count = 0
        let result = buffer.withUnsafeMutableBytes { pc_read_full(readEnd, $0.baseAddress, $0.count, &count) }
        if result != 0 { throw ProcessError.systemCall("read", result) }
        if count < buffer.count { throw BenchFailure("the stream ended early") }
    }

    func write(_ bytes: [UInt8]) throws {
        let result = bytes.withUnsafeBytes { pc_write_all(writeEnd, $0.baseAddress, $0.count) }
        if result != 0 { throw ProcessError.systemCall("write", result) }
    }

    /// The descriptors, each once (the two directions of a socketpair share them).
    static func descriptors(_ channels: RawChannel...) -> Set<Int32> {
        Set(channels.flatMap { [$0.readEnd, $0.writeEnd] })
    }

    private static func check(_ operation: String, _ result: Int32) throws(ProcessError) {
        if result != 0 { throw .systemCall(operation, result) }
    }
}
