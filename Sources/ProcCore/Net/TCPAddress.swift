#if canImport(Glibc)
import Glibc
#endif

/// A numeric IPv4 or IPv6 address and port, parsed once: a client that opens many
/// connections to one server (a load generator) connects without parsing the address
/// each time (see `TCPConnection(connectingTo:timeout:noDelay:)`).
public struct TCPAddress: Sendable {
    private let storage: sockaddr_storage
    private let length: socklen_t
    /// AF_INET or AF_INET6.
    let family: Int32
    /// The address as given.
    public let host: String
    /// The port.
    public let port: Int

    /// Parses `host` (a numeric address; names are not looked up) and `port`; nil when
    /// either is not valid.
    public init?(host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        let networkPort = UInt16(port).bigEndian
        var storage = sockaddr_storage()
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = networkPort
            (family, length) = (AF_INET, Self.store(v4, in: &storage))
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = networkPort
            (family, length) = (AF_INET6, Self.store(v6, in: &storage))
        } else {
            return nil
        }
        self.storage = storage
        self.host = host
        self.port = port
    }

    /// Whether `host` is a numeric IPv4 or IPv6 address (host names are not looked up).
    public static func isNumericHost(_ host: String) -> Bool {
        TCPAddress(host: host, port: 0) != nil
    }

    private static func store<Address>(_ address: Address, in storage: inout sockaddr_storage) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
        return socklen_t(MemoryLayout<Address>.size)
    }

    /// connect(2) of `fd` to the address: 0 or the errno value (EINTR included).
    func connect(_ fd: Int32) -> Int32 {
        var address = storage
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        return result == 0 ? 0 : errno
    }
}
