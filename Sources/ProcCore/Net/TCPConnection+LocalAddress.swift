import CProcShim

extension TCPConnection {
    /// The local end of a TCP connection (getsockname(2)): the address and port the peer
    /// connected to.
    public func localAddress() throws(ProcessError) -> SocketAddress {
        var port: Int32 = 0
        return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            try check("getsockname", pc_socket_local_address(descriptor, buffer.baseAddress, buffer.count, &port))
            return .tcp(host: String(cString: buffer.baseAddress!), port: Int(port))
        }
    }
}
