import Glibc

/// Where a socket listens or connects, and who is at the other end: a numeric IPv4 or
/// IPv6 address and a port, or the path of a Unix stream socket.
///
/// ```swift
/// let address = SocketAddress("[::1]:8080")        // .tcp(host: "::1", port: 8080)
/// print(SocketAddress.tcp(host: "::1", port: 8080)) // [::1]:8080
/// ```
///
/// Host names are never looked up: a host is a numeric address (`127.0.0.1`, `::1`), so
/// that a server binds what it was told and a client connects without a resolver. The
/// cases are not checked when made; a host that is not a numeric address, a port outside
/// 0...65535 or a path that is too long fails where the address is used, with EINVAL or
/// ENAMETOOLONG. `init?(_:)` checks as it parses.
public enum SocketAddress: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// TCP on a numeric IPv4 or IPv6 address, written without brackets (`::1`); port 0
    /// asks a listener for an ephemeral port.
    case tcp(host: String, port: Int)
    /// A Unix stream socket: a filesystem path, or a Linux abstract name written with a
    /// leading `@` (Python writes it with a leading NUL).
    case unix(path: String)

    /// Parses `127.0.0.1:8080`, `[::1]:8080` (an IPv6 address in brackets), or a Unix
    /// socket path, which must contain a `/` (`./name` for a relative one) or begin with
    /// `@`; nil for anything else, such as a host name, a port outside 0...65535 or an
    /// IPv6 address without brackets. It reads what `description` writes.
    public init?(_ description: String) {
        if description.hasPrefix("@") || description.contains("/") {
            guard description.utf8.count > 1 else { return nil }
            self = .unix(path: description)
            return
        }
        guard let colon = description.lastIndex(of: ":"),
              let port = Int(description[description.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = description[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
            guard host.contains(":") else { return nil }
        } else if host.contains(":") {
            return nil
        }
        guard Self.isNumericHost(String(host)) else { return nil }
        self = .tcp(host: String(host), port: port)
    }

    /// `127.0.0.1:8080`, `[::1]:8080` for IPv6, or the path: as procctl's messages and the
    /// server's log lines write an address.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }

    /// The numeric host of a TCP address; nil for a Unix socket.
    public var host: String? {
        if case .tcp(let host, _) = self { host } else { nil }
    }

    /// The port of a TCP address; nil for a Unix socket.
    public var port: Int? {
        if case .tcp(_, let port) = self { port } else { nil }
    }

    /// Whether `host` is a numeric IPv4 or IPv6 address (host names are not looked up).
    public static func isNumericHost(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Whether only this machine can reach the address: a Unix socket, or TCP on
    /// 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address.
    public var isLoopback: Bool {
        guard case .tcp(let host, _) = self else { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
    }
}
