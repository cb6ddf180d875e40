import CProcShim
import Synchronization

import Glibc

/// A listening TCP socket on a numeric IPv4 or IPv6 address.
///
/// ```swift
/// let listener = try TCPListener(address: .tcp(host: "127.0.0.1", port: 0))
/// print("listening on \(listener.address)")
/// if let connection = try listener.accept() { ... }
/// ```
///
/// A class, so that the parts of a server that use one listener (its loop, its workers,
/// its metrics) share it, and closing it is done once: `close()` closes the socket the
/// first time and does nothing after, and the socket is closed when the last reference
/// goes away if `close()` was not called. The socket is close-on-exec and has SO_REUSEADDR
/// set. A forked child that serves a connection should close its copy, so that only the
/// parent keeps the port open.
public final class TCPListener: Sendable {
    /// The socket's descriptor, for poll(2). It belongs to this listener: do not close it.
    public let descriptor: Int32
    /// The address it listens on, with the port the kernel chose when 0 was asked for.
    public let address: SocketAddress
    /// Whether the socket has been closed or given away.
    private let closed = Atomic<Bool>(false)

    /// The port it listens on: the kernel's choice when 0 was asked for.
    public var port: Int { address.port ?? 0 }

    /// Listens on `address` (TCP) with a queue of `backlog` connections; port 0 asks for an
    /// ephemeral port. With `reusePort`, SO_REUSEPORT is set: other processes that set it
    /// too may listen on the same address, and the kernel spreads new connections among
    /// them. Throws, with the operation `listen on ADDRESS`, errno EADDRINUSE for a port in
    /// use, EINVAL for a host that is not a numeric address or a port outside 0...65535,
    /// and EAFNOSUPPORT for a Unix socket's address (see `Listener`).
    public init(address: SocketAddress, backlog: Int = 128, reusePort: Bool = false) throws(ProcessError) {
        let operation = "listen on \(address)"
        guard case .tcp(let host, let port) = address else { throw .systemCall(operation, EAFNOSUPPORT) }
        guard (0...65535).contains(port) else { throw .systemCall(operation, EINVAL) }
        var fd: Int32 = -1
        var boundPort: Int32 = 0
        try check(operation, pc_tcp_listen_with_options(host, Int32(port), Int32(clamping: backlog), reusePort ? PC_LISTEN_REUSE_PORT : 0, &fd, &boundPort))
        self.descriptor = fd
        self.address = .tcp(host: host, port: Int(boundPort))
    }

    /// Takes over a listening TCP socket this process already holds, such as one passed by
    /// systemd's socket activation: checks that `descriptor` is a listening IPv4 or IPv6
    /// stream socket, makes it close-on-exec and reads the address it is bound to. Wraps
    /// `pc_adopt_listener`; errno EBADF, ENOTSOCK or EINVAL when it is not one (the
    /// descriptor then stays the caller's).
    public init(adopting descriptor: Int32) throws(ProcessError) {
        var port: Int32 = 0
        let host = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            try check("listening socket \(descriptor)", pc_adopt_listener(descriptor, buffer.baseAddress, buffer.count, &port))
            return String(cString: buffer.baseAddress!)
        }
        self.descriptor = descriptor
        self.address = .tcp(host: host, port: Int(port))
    }

    deinit {
        close()
    }

    /// Makes `accept()` return nil at once instead of waiting when no connection is queued.
    public func setNonBlocking(_ nonBlocking: Bool = true) throws(ProcessError) {
        try check("fcntl", pc_set_nonblocking(descriptor, nonBlocking))
    }

    /// Takes the next queued connection (close-on-exec); nil when the listener is
    /// non-blocking and none is waiting.
    public func accept() throws(ProcessError) -> TCPConnection? {
        var fd: Int32 = -1
        let result = pc_accept(descriptor, 0, &fd, nil, 0, nil)
        if result == EAGAIN || result == EWOULDBLOCK { return nil }
        try check("accept", result)
        return TCPConnection(adopting: fd)
    }

    /// Takes the next queued connection and the peer's address; nil when the listener is
    /// non-blocking and none is waiting. The address is formatted without vfprintf (see
    /// `pc_accept`): a forking server's parent calls this at every connection.
    public func acceptWithPeer() throws(ProcessError) -> AcceptedConnection? {
        var fd: Int32 = -1
        var port: Int32 = 0
        return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            let result = pc_accept(descriptor, 0, &fd, buffer.baseAddress, buffer.count, &port)
            if result == EAGAIN || result == EWOULDBLOCK { return nil }
            try check("accept", result)
            return AcceptedConnection(
                connection: TCPConnection(adopting: fd), peer: .tcp(host: String(cString: buffer.baseAddress!), port: Int(port)))
        }
    }

    /// Closes the socket: connections still queued are reset and new ones are refused.
    /// A second `close()` does nothing.
    public func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        _ = pc_close(descriptor)
    }

    /// Gives up the descriptor without closing it: the caller owns it from now on, and
    /// `close()` and the deinit leave it alone.
    public func releaseDescriptor() -> Int32 {
        closed.store(true, ordering: .relaxed)
        return descriptor
    }
}
