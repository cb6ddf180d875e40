import CProcShim

extension TCPListener {
    /// Takes over a listening TCP socket this process already holds, such as one passed by
    /// systemd's socket activation: checks that `descriptor` is a listening IPv4 or IPv6
    /// stream socket, makes it close-on-exec and reads the address it is bound to. Wraps
    /// `pc_adopt_listener`; errno EBADF, ENOTSOCK or EINVAL when it is not one.
    public init(adopting descriptor: Int32) throws(ProcessError) {
        var port: Int32 = 0
        let host = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            try check("listening socket \(descriptor)", pc_adopt_listener(descriptor, buffer.baseAddress, buffer.count, &port))
            return String(cString: buffer.baseAddress!)
        }
        self.descriptor = descriptor
        self.host = host
        self.port = Int(port)
    }
}
