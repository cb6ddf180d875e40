import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on a numeric IPv4 or IPv6 address.
///
/// ```swift
/// let listener = try TCPListener(host: "127.0.0.1", port: 0)
/// print("listening on \(listener.host):\(listener.port)")
/// let connection = try listener.accept()
/// ```
///
/// A plain value over a descriptor: `close()` must be called exactly once. The socket is
/// close-on-exec and has SO_REUSEADDR set. A forked child that serves a connection should
/// close its copy, so that only the parent keeps the port open.
public struct TCPListener: Sendable {
    /// The socket's descriptor.
    public let descriptor: Int32
    /// The address it listens on, as given.
    public let host: String
    /// The port it listens on: the kernel's choice when 0 was asked for.
    public let port: Int

    /// Listens on `host`:`port` with a queue of `backlog` connections; port 0 asks for an
    /// ephemeral port. With `reusePort`, SO_REUSEPORT is set: other processes that set it
    /// too may listen on the same address, and the kernel spreads new connections among
    /// them. Throws with errno EADDRINUSE for a port in use and EINVAL for a host that is
    /// not a numeric address or a port outside 0...65535.
    public init(host: String, port: Int, backlog: Int = 128, reusePort: Bool = false) throws(ProcessError) {
        var fd: Int32 = -1
        var boundPort: Int32 = 0
        let operation = "listen on \(host):\(port)"
        guard (0...65535).contains(port) else { throw .systemCall(operation, EINVAL) }
        try check(operation, pc_tcp_listen_with_options(host, Int32(port), Int32(clamping: backlog), reusePort ? PC_LISTEN_REUSE_PORT : 0, &fd, &boundPort))
        self.descriptor = fd
        self.host = host
        self.port = Int(boundPort)
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
    public func acceptWithPeer() throws(ProcessError) -> (connection: TCPConnection, peer: Peer)? {
        var fd: Int32 = -1
        var port: Int32 = 0
        return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            let result = pc_accept(descriptor, 0, &fd, buffer.baseAddress, buffer.count, &port)
            if result == EAGAIN || result == EWOULDBLOCK { return nil }
            try check("accept", result)
            return (TCPConnection(adopting: fd), Peer(host: String(cString: buffer.baseAddress!), port: Int(port)))
        }
    }

    /// Closes the socket: connections still queued are reset and new ones are refused.
    public func close() {
        _ = pc_close(descriptor)
    }
}
