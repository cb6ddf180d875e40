import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// A connected TCP socket: reads, whole writes, timeouts, half-close and reset.
///
/// A plain value over a descriptor, like swift-system's `FileDescriptor`: copies share
/// the socket and `close()` must be called exactly once. Every read and write retries
/// EINTR; writes finish partial writes and never raise SIGPIPE.
public struct TCPConnection: Sendable {
    /// The socket's descriptor (close-on-exec).
    public let descriptor: Int32

    /// Wraps a connected socket, such as one returned by accept(2); it now belongs to this value.
    public init(adopting descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Connects to `host`:`port` (a numeric IPv4 or IPv6 address), giving up after
    /// `timeout` (nil: the kernel's own limit). ECONNREFUSED when nothing listens there.
    public init(connectingTo host: String, port: Int, timeout: Duration? = .seconds(10)) throws(ProcessError) {
        var fd: Int32 = -1
        let milliseconds = timeout?.roundedUpMilliseconds ?? -1
        try check("connect to \(host):\(port)", pc_tcp_connect(host, Int32(clamping: port), milliseconds, &fd))
        self.descriptor = fd
    }

    /// Reads what has arrived, up to `buffer.count` bytes, waiting for at least one.
    /// Returns 0 at end of stream. EAGAIN once a timeout set by `setTimeout` runs out.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProcessError) -> Int {
        var count = 0
        try check("read", pc_read(descriptor, buffer.baseAddress, buffer.count, &count))
        return count
    }

    /// Reads until `buffer` is full or the stream ends; returns the number of bytes read,
    /// less than `buffer.count` only at end of stream.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(ProcessError) -> Int {
        var count = 0
        try check("read", pc_read_full(descriptor, buffer.baseAddress, buffer.count, &count))
        return count
    }

    /// Writes every byte of `bytes`. EPIPE or ECONNRESET when the peer has gone.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ProcessError) {
        try check("write", pc_write_all(descriptor, bytes.baseAddress, bytes.count))
    }

    /// Writes every byte of `bytes`.
    public func writeAll(_ bytes: [UInt8]) throws(ProcessError) {
        let result = bytes.withUnsafeBytes { pc_write_all(descriptor, $0.baseAddress, $0.count) }
        try check("write", result)
    }

    /// Makes a read or write that waits longer than `timeout` fail with EAGAIN; nil waits for ever.
    public func setTimeout(_ timeout: Duration?) throws(ProcessError) {
        // 0 would mean "no timeout" to the kernel: a timeout is at least 1 ms.
        let milliseconds = timeout.map { max(1, $0.roundedUpMilliseconds) } ?? 0
        try check("setsockopt", pc_socket_set_timeout(descriptor, milliseconds))
    }

    /// Tells the peer that no more bytes will come (shutdown(2) with SHUT_WR); reading goes on.
    public func shutdownWrite() throws(ProcessError) {
        try check("shutdown", pc_shutdown_write(descriptor))
    }

    /// Makes `close()` reset the connection (RST) instead of closing it in order.
    public func setResetOnClose() throws(ProcessError) {
        try check("setsockopt", pc_socket_set_reset_on_close(descriptor))
    }

    /// Closes the socket.
    public func close() {
        _ = pc_close(descriptor)
    }
}
