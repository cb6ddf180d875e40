import ProcCore

/// The seed's `talk`: echoes every byte of a connection upper-cased (as Python's
/// `bytes.upper()`) until the peer closes. The server's `ConnectionService` turns a reset
/// or an idle timeout into a quiet end and closes the connection.
struct EchoHandler {
    /// Bytes read (and written back) at a time.
    static let bufferSize = 64 * 1024

    /// Where bytes are read and upper-cased: allocated once by the parent and never
    /// touched there, so a child's first write to it maps fresh zero pages instead of
    /// running malloc (whose consolidation of the parent's free lists shows in profiles).
    /// Page-aligned: a short message touches one page of it. Lives as long as the server.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 4096)

    /// Serves one connection; a `ConnectionHandler`.
    func serve(_ connection: borrowing SocketConnection, peer: SocketAddress) throws(ProcessError) {
        while true {
            let count = try connection.read(into: buffer)
            if count == 0 { return }
            let received = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            uppercaseASCIILetters(received)
            try connection.writeAll(UnsafeRawBufferPointer(received))
        }
    }
}
