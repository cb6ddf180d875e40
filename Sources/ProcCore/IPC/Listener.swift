import CProcShim

import Glibc
import SystemPackage

/// A listening socket whose `accept()` returns `Connection`s, as Python's
/// `multiprocessing.connection.Listener`: over TCP or a Unix stream socket, and with an
/// `authkey`, each connection is accepted only after the peer has proved that it knows the
/// key (Python's HMAC challenge and answer; see `Client`). A Python `Client` connects to it
/// and a ProcCore `Client` to a Python `Listener`, with `send_bytes`/`recv_bytes` on the
/// Python side and `sendBytes`/`receiveBytes` here.
///
/// ```swift
/// let listener = try Listener(address: .tcp(host: "127.0.0.1", port: 6000), authkey: key)
/// let connection = try listener.accept()
/// ```
///
/// A connection whose handshake fails (a wrong key, bytes that are not a handshake, a
/// message over 256 bytes, nothing in time) is closed and `accept()` throws a typed error
/// for it: `.authenticationFailed`, `.corruptMessage`, `.messageTooLarge`, `.timedOut` or
/// `.endOfStream`. The listener is unharmed: call `accept()` again. Listening beyond
/// loopback without an authkey is refused (`.authenticationRequired`): Python only warns.
///
/// The socket is close-on-exec and closed by `close()` or when the listener goes away; a
/// Unix socket's file is then removed, as Python removes it. One thread at a time accepts.
public final class Listener {
    /// The listening socket's descriptor, for poll(2) before `accept()`.
    public var descriptor: FileDescriptor { FileDescriptor(rawValue: rawDescriptor) }
    /// The same descriptor as a C `int`, for the shim's calls.
    package let rawDescriptor: Int32
    /// The address listened on, with the port the kernel chose when 0 was asked for.
    public let address: SocketAddress
    /// How long a connection's handshake may take, from accept(2) to `#WELCOME#`.
    public var handshakeTimeout: Duration
    /// The `maximumMessageLength` each accepted `Connection` starts with (nil: no limit).
    public var maximumMessageLength: Int?
    /// Whether `close()` has been called.
    public private(set) var isClosed = false

    private let authkey: [UInt8]?

    /// Listens on `address` with a queue of `backlog` connections. With an `authkey` (not
    /// empty), every connection must pass the handshake; without one, `address` must be
    /// loopback or a Unix socket. A Unix socket path that exists already is EADDRINUSE, as
    /// in Python; a host that is not a numeric address is EINVAL.
    public init(
        address: SocketAddress = .tcp(host: "127.0.0.1", port: 0),
        backlog: Int = 16,
        authkey: [UInt8]? = nil,
        handshakeTimeout: Duration = .seconds(20)
    ) throws(ProcessError) {
        if let authkey, authkey.isEmpty {
            throw ProcessError(.invalidArgument, operation: "listen on \(address): an empty authkey authenticates nothing; pass nil or a key")
        }
        guard authkey != nil || address.isLoopback else {
            throw ProcessError(.authenticationRequired, operation: "listen on \(address): beyond loopback, anyone who reaches the port could send messages; give an authkey or listen on 127.0.0.1, ::1 or a Unix socket")
        }
        switch address {
        case .tcp:
            let listener = try SocketListener(address: address, backlog: backlog)
            self.address = listener.address
            self.rawDescriptor = listener.releaseRawDescriptor()
        case .unix(let path):
            var fd: Int32 = -1
            try check("listen on \(path)", pc_unix_listen(path, Int32(clamping: backlog), &fd))
            self.rawDescriptor = fd
            self.address = address
        }
        self.authkey = authkey
        self.handshakeTimeout = handshakeTimeout
    }

    deinit { close() }

    /// Takes the next connection, waiting for one, and with an authkey runs the handshake
    /// on it (delivering a challenge, then answering the peer's). Throws for that one
    /// connection, closed, when the handshake fails; the listener serves on.
    public func accept() throws(ProcessError) -> Connection {
        guard !isClosed else { throw ProcessError(.closed, operation: "accept on \(address)") }
        var fd: Int32 = -1
        try check("accept on \(address)", pc_accept(rawDescriptor, 0, &fd, nil, 0, nil))
        if let authkey {
            do throws(ProcessError) {
                let channel = HandshakeChannel(descriptor: fd, timeout: handshakeTimeout)
                try AuthenticationHandshake.deliverChallenge(on: channel, authkey: authkey)
                try AuthenticationHandshake.answerChallenge(on: channel, authkey: authkey)
            } catch {
                _ = pc_close(fd)
                throw error
            }
        }
        let connection = Connection(adopting: fd)
        connection.maximumMessageLength = maximumMessageLength
        return connection
    }

    /// Closes the socket (connections still queued are reset) and removes a Unix socket's
    /// file. A second `close()` does nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = pc_close(rawDescriptor)
        if case .unix(let path) = address, !path.hasPrefix("@") { _ = unlink(path) }
    }
}
