import CProcShim

import Glibc

/// Reads the PROXY protocol header that begins a connection, within a time limit, and
/// not one byte more: the client's data, even when it came in the same segment, stays
/// on the socket for whoever serves the connection.
///
/// It peeks at what has arrived (recv with MSG_PEEK) and asks `ProxyHeaderParser`: a
/// whole header is then read off exactly; a header still incomplete is read off whole
/// (every byte before the end of a header is the header's), and the reader waits in
/// poll(2) for more, since peeked bytes would keep the socket readable. A header sent in
/// one segment, as balancers send it, costs one peek and one read.
struct ProxyHeaderReader {
    /// The time limit when the idle timeout does not set a shorter one: ample for a
    /// balancer, which writes the header at once, and short enough that a peer that
    /// trickles or stalls holds a child or a worker for a bounded time.
    static let defaultTimeLimit: Duration = .seconds(5)

    /// How long the whole header may take to arrive, from the call on.
    let timeLimit: Duration

    /// The header at the start of `connection`, read off the socket; or why there is none.
    func read(from connection: borrowing SocketConnection) -> Result<ProxyHeader, ProxyHeaderFailure> {
        let deadline = MonotonicInstant.now + timeLimit
        let descriptor = connection.rawDescriptor
        return withUnsafeTemporaryAllocation(byteCount: ProxyHeader.maximumBinaryLength, alignment: 1) { buffer in
            // Bytes [0, taken) have been read off the socket: all of them the header's.
            var taken = 0
            while true {
                var peeked = 0
                let result = pc_socket_peek(descriptor, buffer.baseAddress! + taken, buffer.count - taken, &peeked)
                if result == EAGAIN {
                    let left = MonotonicInstant.now.pollTimeout(until: deadline)
                    var revents: Int16 = 0
                    guard left > 0, pc_poll_one(descriptor, Int16(POLLIN), left, &revents) == 0, revents != 0 else {
                        return .failure(.timedOut)
                    }
                    continue
                }
                guard result == 0, peeked > 0 else { return .failure(.closed) }
                switch ProxyHeaderParser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<(taken + peeked)])) {
                case .header(let header):
                    return take(header.length - taken, into: buffer, at: taken, from: descriptor) ? .success(header) : .failure(.closed)
                case .failure(let failure):
                    return .failure(failure)
                case .incomplete:
                    guard take(peeked, into: buffer, at: taken, from: descriptor) else { return .failure(.closed) }
                    taken += peeked
                    // The parser refuses what reaches the limit; a full buffer cannot wait for more.
                    guard taken < buffer.count else { return .failure(.tooLong) }
                }
            }
        }
    }

    /// Reads `count` bytes already peeked at (so already arrived) into the buffer at
    /// `offset`; false when the socket failed meanwhile.
    private func take(_ count: Int, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, from descriptor: Int32) -> Bool {
        var read = 0
        return pc_read_full(descriptor, buffer.baseAddress! + offset, count, &read) == 0 && read == count
    }
}
