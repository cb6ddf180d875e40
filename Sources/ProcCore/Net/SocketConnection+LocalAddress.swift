import CProcShim

import Glibc

extension SocketConnection {
    /// The local end of the connection (getsockname(2)): the address and port the peer
    /// connected to, or for a Unix socket the path of the listener it connected to.
    public func localAddress() throws(ProcessError) -> SocketAddress {
        let path = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_UNIX_PATH_TEXT_MAX)) { buffer throws(ProcessError) -> String? in
            let result = pc_unix_local_path(rawDescriptor, buffer.baseAddress, buffer.count)
            if result == EAFNOSUPPORT { return nil }
            try check("getsockname", result)
            return String(cString: buffer.baseAddress!)
        }
        if let path { return .unix(path: path) }
        var port: Int32 = 0
        return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PC_HOST_TEXT_MAX)) { buffer throws(ProcessError) in
            try check("getsockname", pc_socket_local_address(rawDescriptor, buffer.baseAddress, buffer.count, &port))
            return .tcp(host: String(cString: buffer.baseAddress!), port: Int(port))
        }
    }
}
