/// One end of a TCP connection: a numeric host and a port, as accept(2) or
/// getsockname(2) give them.
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    /// The numeric IPv4 or IPv6 address, without brackets: `127.0.0.1`, `::1`.
    public let host: String
    /// The port.
    public let port: Int

    /// The end at `host`:`port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:5000`, or `[::1]:5000` for IPv6.
    public var description: String {
        host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
