/// The PROXY protocol header that a load balancer (HAProxy's `send-proxy` and
/// `send-proxy-v2`, nginx's `proxy_protocol on`) sends before the client's first byte:
/// who the client is and which address it connected to, since the connection's own peer
/// is the balancer. `ProxyHeaderParser` reads one from a connection's first bytes.
///
/// ```swift
/// if case .header(let header) = ProxyHeaderParser.parse(bytes),
///    case .proxied(let client, _) = header.endpoints {
///     print("client \(client), header of \(header.length) bytes")
/// }
/// ```
///
/// The specification is HAProxy's doc/proxy-protocol.txt.
public struct ProxyHeader: Sendable, Hashable {
    /// The protocol's two versions.
    public enum Version: Int, Sendable, Hashable {
        /// Version 1: one line of text, `PROXY TCP4 SRC DST SPORT DPORT\r\n`.
        case text = 1
        /// Version 2: a 16-byte binary block (signature, command, family, length), then
        /// the addresses and optional TLVs.
        case binary = 2
    }

    /// Whom the connection is from, as the header says.
    public enum Endpoints: Sendable, Hashable {
        /// Relayed by the balancer: the client's address and the one it connected to
        /// (the balancer's frontend), TCP over IPv4 or IPv6, or a Unix stream socket (a
        /// path, `@name` for an abstract one, empty for an unnamed one).
        case proxied(source: SocketAddress, destination: SocketAddress)
        /// Made by the balancer itself (a v2 `LOCAL` health check), or for a protocol it
        /// does not name (v1 `UNKNOWN`, v2 `UNSPEC`): the connection's own addresses are
        /// the real ones.
        case local
    }

    /// The longest v1 line, CRLF included (the specification's worst case).
    public static let maximumTextLength = 107
    /// The longest v2 header accepted, its 16-byte block included: room for any address
    /// block (216 bytes for Unix sockets) and the usual TLVs (authority, unique id, TLS
    /// details), not for a client certificate. A header that says it is longer is refused
    /// (`ProxyHeaderFailure.tooLong`) before any of it is read.
    public static let maximumBinaryLength = 4096

    /// Which version the balancer sent.
    public let version: Version
    /// The addresses it carries, or `.local`.
    public let endpoints: Endpoints
    /// Its length on the wire in bytes: the client's data starts right after.
    public let length: Int

    /// A header of `version`, `length` bytes long, carrying `endpoints`.
    public init(version: Version, endpoints: Endpoints, length: Int) {
        self.version = version
        self.endpoints = endpoints
        self.length = length
    }
}
