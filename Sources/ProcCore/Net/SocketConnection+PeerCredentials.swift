import CProcShim

extension SocketConnection {
    /// The process, user and group at the other end of a Unix socket connection
    /// (SO_PEERCRED): a server on a Unix socket tells its clients apart by these, since
    /// their address is empty (`.unix(path: "")`). Throws for a TCP connection.
    public func peerCredentials() throws(ProcessError) -> PeerCredentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        try check("getsockopt SO_PEERCRED", pc_unix_peer_credentials(rawDescriptor, &pid, &uid, &gid))
        return PeerCredentials(processID: pid, userID: uid, groupID: gid)
    }
}
