import CProcShim

import Glibc

extension SocketConnection {
    /// Connects a blocking, close-on-exec socket to `address` (TCP, or a Unix socket's
    /// path), with the connect and then every read and write bounded by `timeout` (as
    /// `setTimeout` sets it; nil: the kernel's own limits), and TCP_NODELAY when `noDelay`.
    /// Throws ECONNREFUSED when nothing listens there (ENOENT for a Unix path that does not
    /// exist), ETIMEDOUT when the timeout runs out, EINVAL for a host that is not a numeric
    /// address or a port outside 0...65535; the operation is `connect to ADDRESS`.
    ///
    /// As few system calls as a C client makes: the timeouts are set before connect (on
    /// Linux the send timeout bounds a blocking connect too), so there is no non-blocking
    /// connect and poll, and nothing to undo afterwards.
    public init(connectingTo address: SocketAddress, timeout: Duration? = .seconds(10), noDelay: Bool = false) throws(ProcessError) {
        let target = try SystemSocketAddress(address, operation: "connect to \(address)")
        let fd = socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .systemCall("connect to \(address)", errno) }
        var rc: Int32 = 0
        if noDelay && target.family != AF_UNIX {
            var one: Int32 = 1
            if setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 { rc = errno }
        }
        if rc == 0 { rc = pc_socket_set_timeout(fd, Self.socketTimeoutMilliseconds(timeout)) }
        if rc == 0 { rc = target.withSockaddr { Glibc.connect(fd, $0, $1) } == 0 ? 0 : errno }
        if rc == EINTR { rc = Self.finishInterruptedConnect(fd, timeout: timeout) }
        // SO_SNDTIMEO ending a blocking connect reports EINPROGRESS: it is a timeout.
        if rc == EINPROGRESS { rc = ETIMEDOUT }
        if rc != 0 {
            _ = pc_close(fd)
            throw .systemCall("connect to \(address)", rc)
        }
        self.init(adopting: fd)
    }

    /// An interrupted connect goes on in the kernel: wait for it as for a non-blocking one.
    private static func finishInterruptedConnect(_ fd: Int32, timeout: Duration?) -> Int32 {
        var revents: Int16 = 0
        let rc = pc_poll_one(fd, Int16(POLLOUT), timeout.map { $0.roundedUpMilliseconds } ?? -1, &revents)
        if rc != 0 { return rc }
        if revents == 0 { return ETIMEDOUT }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { return errno }
        return error
    }
}
