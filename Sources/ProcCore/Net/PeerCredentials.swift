import Glibc

/// Who is at the other end of a Unix socket connection, as the kernel recorded it when
/// the peer connected (SO_PEERCRED): its process id and effective user and group ids.
///
/// ```swift
/// let peer = try connection.peerCredentials()
/// guard peer.userID == getuid() else { return }   // only this user's processes
/// ```
public struct PeerCredentials: Sendable, Hashable {
    /// The peer's process id when it connected (it may have ended since).
    public let processID: pid_t
    /// The peer's effective user id.
    public let userID: uid_t
    /// The peer's effective group id.
    public let groupID: gid_t

    /// Credentials as SO_PEERCRED gives them.
    public init(processID: pid_t, userID: uid_t, groupID: gid_t) {
        self.processID = processID
        self.userID = userID
        self.groupID = groupID
    }
}
