import CProcShim

import Glibc

/// The framed messages of an authkey handshake, read and written straight on the socket
/// before it becomes a `Connection`: each read waits only until one deadline for the whole
/// handshake, so a peer that sends nothing, or a byte at a time, is cut off in bounded
/// time, and nothing is read beyond the handshake's own frames.
struct HandshakeChannel {
    /// The longest handshake message accepted: Python's `recv_bytes(256)`.
    static let maximumMessageLength = 256

    let descriptor: Int32
    /// CLOCK_MONOTONIC nanoseconds (pc_monotonic_ns) at which the handshake gives up.
    let deadline: Int64

    init(descriptor: Int32, timeout: Duration) {
        self.descriptor = descriptor
        self.deadline = pc_monotonic_ns() &+ timeout.nanoseconds
    }

    /// Sends `bytes` as one frame (a handshake message is far smaller than any socket buffer).
    func send(_ bytes: [UInt8]) throws(ProcessError) {
        var header = FrameHeader.Storage()
        let headerSize = FrameHeader.write(length: bytes.count, into: &header)
        let result = withUnsafeBytes(of: &header) { head in
            bytes.withUnsafeBytes { pc_write_frame(descriptor, head.baseAddress, headerSize, $0.baseAddress, $0.count) }
        }
        if result == EPIPE || result == ECONNRESET {
            throw ProcessError(.endOfStream, operation: "handshake: the peer closed the connection", errno: .init(rawValue: result))
        }
        try check("handshake: send", result)
    }

    /// Receives one frame of at most `maximumMessageLength` bytes.
    func receive() throws(ProcessError) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: FrameHeader.shortSize)
        try readExactly(into: &header)
        let length: Int
        switch header.withUnsafeBytes({ FrameHeader.readShort($0) }) {
        case .length(let value): length = value
        case .long: length = Int.max
        case .corrupt(let value):
            throw ProcessError(.corruptMessage, operation: "handshake: a frame header with length \(value)")
        }
        guard length <= Self.maximumMessageLength else {
            let shown = length == Int.max ? "over 2 GiB" : "of \(length) bytes"
            throw ProcessError(.messageTooLarge, operation: "handshake: a message \(shown), more than the \(Self.maximumMessageLength) allowed")
        }
        var body = [UInt8](repeating: 0, count: length)
        try readExactly(into: &body)
        return body
    }

    /// Fills `buffer`, waiting no later than the deadline.
    private func readExactly(into buffer: inout [UInt8]) throws(ProcessError) {
        var done = 0
        while done < buffer.count {
            let left = deadline - pc_monotonic_ns()
            var revents: Int16 = 0
            if left > 0 {
                let milliseconds = Int32(clamping: (left + 999_999) / 1_000_000)
                try check("handshake: poll", pc_poll_one(descriptor, Int16(POLLIN), milliseconds, &revents))
            }
            guard revents != 0 else {
                throw ProcessError(.timedOut, operation: "handshake: no complete message from the peer in time")
            }
            var count = 0
            let result = buffer.withUnsafeMutableBytes { raw in
                pc_read(descriptor, raw.baseAddress! + done, raw.count - done, &count)
            }
            if result == ECONNRESET || (result == 0 && count == 0) {
                throw ProcessError(.endOfStream, operation: "handshake: the peer closed the connection after \(done) of \(buffer.count) bytes")
            }
            try check("handshake: receive", result)
            done += count
        }
    }
}
