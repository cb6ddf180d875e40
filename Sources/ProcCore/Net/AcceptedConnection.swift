/// A connection just accepted and the address of its peer, as
/// `SocketListener.acceptWithPeer()` returns them.
///
/// ```swift
/// if let accepted = try listener.acceptWithPeer() {
///     let peer = accepted.peer
///     serve(accepted.connection, peer: peer)   // takes the connection over
/// }
/// ```
public struct AcceptedConnection: ~Copyable, Sendable {
    /// The connection, which the caller takes over.
    public var connection: SocketConnection
    /// Who connected: the peer's numeric address and port.
    public let peer: SocketAddress

    /// `connection`, accepted from `peer`.
    public init(connection: consuming SocketConnection, peer: SocketAddress) {
        self.connection = connection
        self.peer = peer
    }
}
