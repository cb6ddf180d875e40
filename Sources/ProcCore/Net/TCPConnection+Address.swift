import CProcShim

#if canImport(Glibc)
import Glibc
#endif

extension TCPConnection {
    /// Connects a blocking, close-on-exec socket to `address`, with reads, writes and the
    /// connect itself bounded by `timeout` (nil: the kernel's own limits), and TCP_NODELAY
    /// when `noDelay`. Throws ECONNREFUSED when nothing listens there, EINPROGRESS or
    /// ETIMEDOUT when the timeout runs out.
    ///
    /// As few system calls as a C client makes: the timeouts are set before connect (on
    /// Linux the send timeout bounds a blocking connect too), so there is no non-blocking
    /// connect and poll as in `init(connectingTo:port:timeout:)`.
    public init(connectingTo address: TCPAddress, timeout: Duration?, noDelay: Bool = false) throws(ProcessError) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .systemCall("socket", errno) }
        var rc: Int32 = 0
        if noDelay {
            var one: Int32 = 1
            if setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 { rc = errno }
        }
        if rc == 0 { rc = pc_socket_set_timeout(fd, timeout.map { max(1, $0.roundedUpMilliseconds) } ?? 0) }
        if rc == 0 { rc = address.connect(fd) }
        if rc == EINTR { rc = Self.finishInterruptedConnect(fd, timeout: timeout) }
        if rc != 0 {
            _ = pc_close(fd)
            throw .systemCall("connect", rc)
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
