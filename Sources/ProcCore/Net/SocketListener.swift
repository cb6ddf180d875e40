import CProcShim
import Synchronization

import Glibc
import SystemPackage

/// A listening stream socket: TCP on a numeric IPv4 or IPv6 address, or a Unix socket at
/// a path (or an abstract `@name`).
///
/// ```swift
/// let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
/// print("listening on \(listener.address)")
/// if let connection = try listener.accept() { ... }
/// ```
///
/// A class, so that the parts of a server that use one listener (its loop, its workers,
/// its metrics) share it, and closing it is done once: `close()` closes the socket the
/// first time and does nothing after, and the socket is closed when the last reference
/// goes away if `close()` was not called. The socket is close-on-exec and, for TCP, has
/// SO_REUSEADDR set. A forked child that serves a connection should close its copy, so
/// that only the parent keeps the port open.
///
/// A Unix socket's file stays when the socket is closed (a forked child closes its copy,
/// an upgraded master goes on serving on it): the server that stops for good removes it
/// with `removeSocketFile()`. The peer of a Unix connection is `.unix(path: "")`: clients
/// seldom bind a name, and who they are is `SocketConnection.peerCredentials()`.
public final class SocketListener: Sendable {
    /// The socket's descriptor, for poll(2). It belongs to this listener: do not close it.
    public var descriptor: FileDescriptor { FileDescriptor(rawValue: rawDescriptor) }
    /// The same descriptor as a C `int`, for the shim's calls.
    package let rawDescriptor: Int32
    /// The address it listens on, with the port the kernel chose when 0 was asked for.
    public let address: SocketAddress
    /// The socket file of a Unix listener, to remove when the server stops; nil for TCP
    /// and abstract names.
    private let socketFile: UnixSocketFile?
    /// Whether it is a Unix socket: a flag, so that telling a peer's family at every
    /// accept does not retain the path's storage (a write a forked child would copy).
    private let isUnix: Bool
    /// Whether the socket has been closed or given away.
    private let closed = Atomic<Bool>(false)

    /// The port it listens on: the kernel's choice when 0 was asked for; 0 for a Unix socket.
    public var port: Int { address.port ?? 0 }

    /// Listens on `address` with a queue of `backlog` connections.
    ///
    /// TCP: port 0 asks for an ephemeral port. With `reusePort`, SO_REUSEPORT is set:
    /// other processes that set it too may listen on the same address, and the kernel
    /// spreads new connections among them. Throws, with the operation `listen on
    /// ADDRESS`, errno EADDRINUSE for a port in use, EINVAL for a host that is not a
    /// numeric address or a port outside 0...65535.
    ///
    /// A Unix socket (`reusePort` does not apply: a path is one socket's): its file gets
    /// the permission bits `unixSocketMode` (such as `0o660`; nil: 0777 less the umask, as
    /// bind(2) makes it) before anyone can connect. A socket file left by a server that
    /// is gone (a connect to it is refused) is replaced; any other file is left alone:
    /// EADDRINUSE when a live server holds it, EISDIR for a directory, EEXIST for a file
    /// that is not a socket, ENOENT for a missing directory, ENAMETOOLONG for a path over
    /// 107 bytes (see `pc_unix_listen_replacing_stale`).
    public init(address: SocketAddress, backlog: Int = 128, reusePort: Bool = false, unixSocketMode: Int? = nil) throws(ProcessError) {
        let operation = "listen on \(address)"
        var fd: Int32 = -1
        switch address {
        case .tcp(let host, let port):
            guard (0...65535).contains(port) else { throw .systemCall(operation, EINVAL) }
            var boundPort: Int32 = 0
            try check(operation, pc_tcp_listen_with_options(host, Int32(port), Int32(clamping: backlog), reusePort ? PC_LISTEN_REUSE_PORT : 0, &fd, &boundPort))
            self.address = .tcp(host: host, port: Int(boundPort))
            socketFile = nil
            isUnix = false
        case .unix(let path):
            if let unixSocketMode, !(0...0o777).contains(unixSocketMode) { throw .systemCall(operation, EINVAL) }
            try check(operation, pc_unix_listen_replacing_stale(path, Int32(clamping: backlog), Int32(unixSocketMode ?? Int(PC_UNIX_MODE_FROM_UMASK)), &fd))
            self.address = address
            socketFile = UnixSocketFile(path: path)
            isUnix = true
        }
        self.rawDescriptor = fd
    }

    /// Takes over a listening socket this process already holds, such as one passed by
    /// systemd's socket activation or by the master of a binary upgrade: checks that
    /// `descriptor` is a listening IPv4, IPv6 or Unix stream socket, makes it
    /// close-on-exec and reads the address it is bound to. Wraps `pc_adopt_unix_listener`
    /// and `pc_adopt_listener`; errno EBADF, ENOTSOCK or EINVAL when it is not one (the
    /// descriptor then stays the caller's). A Unix socket's file is known from now on, for
    /// `removeSocketFile()`, which only the process that owns the file should call.
    public convenience init(adopting descriptor: FileDescriptor) throws(ProcessError) {
        try self.init(adopting: descriptor.rawValue)
    }

    /// `init(adopting:)` for a descriptor given as a C `int`, as systemd's and the
    /// upgrade's environment variables give it.
    package init(adopting descriptor: Int32) throws(ProcessError) {
        let operation = "listening socket \(descriptor)"
        let path = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_UNIX_PATH_TEXT_MAX)) { buffer throws(ProcessError) -> String? in
            let result = pc_adopt_unix_listener(descriptor, buffer.baseAddress, buffer.count)
            if result == EAFNOSUPPORT { return nil }
            try check(operation, result)
            return String(cString: buffer.baseAddress!)
        }
        if let path {
            self.address = .unix(path: path)
            socketFile = UnixSocketFile(path: path)
            isUnix = true
        } else {
            var port: Int32 = 0
            let host = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
                try check(operation, pc_adopt_listener(descriptor, buffer.baseAddress, buffer.count, &port))
                return String(cString: buffer.baseAddress!)
            }
            self.address = .tcp(host: host, port: Int(port))
            socketFile = nil
            isUnix = false
        }
        self.rawDescriptor = descriptor
    }

    deinit {
        close()
    }

    /// Makes `accept()` return nil at once instead of waiting when no connection is queued.
    public func setNonBlocking(_ nonBlocking: Bool = true) throws(ProcessError) {
        try check("fcntl", pc_set_nonblocking(rawDescriptor, nonBlocking))
    }

    /// Takes the next queued connection (close-on-exec); nil when the listener is
    /// non-blocking and none is waiting.
    public func accept() throws(ProcessError) -> SocketConnection? {
        var fd: Int32 = -1
        let result = pc_accept(rawDescriptor, 0, &fd, nil, 0, nil)
        if result == EAGAIN || result == EWOULDBLOCK { return nil }
        try check("accept", result)
        return SocketConnection(adopting: fd)
    }

    /// Takes the next queued connection and the peer's address; nil when the listener is
    /// non-blocking and none is waiting. The address is formatted without vfprintf (see
    /// `pc_accept`): a forking server's parent calls this at every connection.
    public func acceptWithPeer() throws(ProcessError) -> AcceptedConnection? {
        var fd: Int32 = -1
        var port: Int32 = 0
        return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            let result = pc_accept(rawDescriptor, 0, &fd, buffer.baseAddress, buffer.count, &port)
            if result == EAGAIN || result == EWOULDBLOCK { return nil }
            try check("accept", result)
            return AcceptedConnection(connection: SocketConnection(adopting: fd), peer: peer(host: buffer.baseAddress!, port: port))
        }
    }

    /// The peer of a connection this listener accepted, from the numeric host and port
    /// `pc_accept` wrote: `.unix(path: "")` on a Unix socket (see the type's notes).
    func peer(host: UnsafePointer<CChar>, port: Int32) -> SocketAddress {
        if isUnix { return .unix(path: "") }
        return .tcp(host: String(cString: host), port: Int(port))
    }

    /// Removes the file of a Unix socket this listener was bound to, if the file there is
    /// still that one (a server started since on the same path keeps its own); nothing
    /// for TCP or an abstract name. A server calls it when it stops for good, not after it
    /// has handed the socket over to another process that serves on it, and not for a
    /// socket that systemd created (systemd removes it).
    public func removeSocketFile() {
        socketFile?.remove()
    }

    /// Closes the socket: connections still queued are reset and new ones are refused.
    /// A second `close()` does nothing.
    public func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        _ = pc_close(rawDescriptor)
    }

    /// Gives up the descriptor without closing it: the caller owns it from now on, and
    /// `close()` and the deinit leave it alone.
    public func releaseDescriptor() -> FileDescriptor {
        FileDescriptor(rawValue: releaseRawDescriptor())
    }

    /// `releaseDescriptor()` as a C `int`.
    package func releaseRawDescriptor() -> Int32 {
        closed.store(true, ordering: .relaxed)
        return rawDescriptor
    }
}
