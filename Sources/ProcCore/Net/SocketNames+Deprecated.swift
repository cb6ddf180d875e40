/// The name `SocketListener` had before it listened on Unix sockets too.
@available(*, deprecated, renamed: "SocketListener")
public typealias TCPListener = SocketListener

/// The name `SocketConnection` had before it connected Unix sockets too.
@available(*, deprecated, renamed: "SocketConnection")
public typealias TCPConnection = SocketConnection
