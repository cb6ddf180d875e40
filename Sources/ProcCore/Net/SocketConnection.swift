import CProcShim

import Glibc
import SystemPackage

/// A connected stream socket (TCP, or a Unix socket): reads, whole writes, timeouts,
/// half-close and reset.
///
/// It owns its descriptor and cannot be copied: the socket is closed once, by `close()`
/// or when the value goes away, and never again by a copy that outlived it (a second
/// close could close a descriptor that another part of the process had opened meanwhile).
/// A function that only uses a connection borrows it, as a `ConnectionHandler` does.
/// Every read and write retries EINTR; writes finish partial writes and never raise SIGPIPE.
public struct SocketConnection: ~Copyable, Sendable {
    /// The socket's descriptor (close-on-exec), for poll(2) or a program's standard input
    /// and output. It belongs to this value: do not close it.
    public var descriptor: FileDescriptor { FileDescriptor(rawValue: rawDescriptor) }
    /// The same descriptor as a C `int`, for the shim's calls.
    package let rawDescriptor: Int32

    /// Wraps a connected socket, such as one returned by accept(2); it now belongs to this value.
    public init(adopting descriptor: FileDescriptor) {
        self.init(adopting: descriptor.rawValue)
    }

    /// Wraps a connected socket given as a C `int`, as the shim's accept returns it.
    package init(adopting descriptor: Int32) {
        self.rawDescriptor = descriptor
    }

    deinit {
        _ = pc_close(rawDescriptor)
    }

    /// Closes the socket now rather than when the value goes away.
    public consuming func close() {
        _ = pc_close(rawDescriptor)
        discard self
    }

    /// Gives up the descriptor without closing it: the caller owns it from now on (to wrap
    /// it in a `Connection`, pass it to another process...).
    public consuming func releaseDescriptor() -> FileDescriptor {
        FileDescriptor(rawValue: releaseRawDescriptor())
    }

    /// `releaseDescriptor()` as a C `int`.
    package consuming func releaseRawDescriptor() -> Int32 {
        let descriptor = rawDescriptor
        discard self
        return descriptor
    }

    /// Reads what has arrived, up to `buffer.count` bytes, waiting for at least one.
    /// Returns 0 at end of stream. EAGAIN once a timeout set by `setTimeout` runs out.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProcessError) -> Int {
        try descriptor.readAvailable(into: buffer)
    }

    /// Reads until `buffer` is full or the stream ends; returns the number of bytes read,
    /// less than `buffer.count` only at end of stream.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(ProcessError) -> Int {
        var count = 0
        try check("read", pc_read_full(rawDescriptor, buffer.baseAddress, buffer.count, &count))
        return count
    }

    /// Writes every byte of `bytes`. EPIPE or ECONNRESET when the peer has gone.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ProcessError) {
        try descriptor.writeAllBytes(bytes)
    }

    /// Writes every byte of `bytes`.
    public func writeAll(_ bytes: [UInt8]) throws(ProcessError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ProcessError) in try writeAll(UnsafeRawBufferPointer(buffer)) }
    }

    /// Makes a read or write that waits longer than `timeout` fail with EAGAIN; nil waits for ever.
    public func setTimeout(_ timeout: Duration?) throws(ProcessError) {
        try check("setsockopt", pc_socket_set_timeout(rawDescriptor, Self.socketTimeoutMilliseconds(timeout)))
    }

    /// `timeout` for SO_RCVTIMEO and SO_SNDTIMEO: 0 would mean "no timeout" to the kernel,
    /// so a timeout is at least 1 ms; nil is 0.
    static func socketTimeoutMilliseconds(_ timeout: Duration?) -> Int32 {
        timeout.map { max(1, $0.roundedUpMilliseconds) } ?? 0
    }

    /// Tells the peer that no more bytes will come (shutdown(2) with SHUT_WR); reading goes on.
    public func shutdownWrite() throws(ProcessError) {
        try check("shutdown", pc_shutdown_write(rawDescriptor))
    }

    /// Makes closing reset the connection (RST) instead of closing it in order.
    public func setResetOnClose() throws(ProcessError) {
        try check("setsockopt", pc_socket_set_reset_on_close(rawDescriptor))
    }
}
