#if canImport(Glibc)
import Glibc
#endif

/// Where a `Listener` listens and a `Client` connects, as Python's
/// `multiprocessing.connection` addresses them: a `(host, port)` pair for TCP or a path
/// for a Unix stream socket.
public enum ConnectionAddress: Sendable, Hashable, CustomStringConvertible {
    /// TCP on a numeric IPv4 or IPv6 address (names are not looked up); port 0 asks a
    /// `Listener` for an ephemeral port.
    case tcp(host: String, port: Int)
    /// A Unix stream socket: a filesystem path, or a Linux abstract name written with a
    /// leading `@` (Python writes it with a leading NUL).
    case unix(path: String)

    /// `host:port` (`[host]:port` for IPv6) or the path.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
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
