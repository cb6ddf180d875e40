#if canImport(Glibc)
import Glibc
#endif

/// A server's numeric IPv4 or IPv6 address and port as a socket address, parsed once so
/// that each connection is only socket, setsockopt and connect.
struct ServerAddress {
    private var storage = sockaddr_storage()
    private let length: socklen_t
    /// AF_INET or AF_INET6.
    let family: Int32

    /// Parses `host` (numeric only: names are never looked up); nil when it is not an address.
    init?(host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        let networkPort = UInt16(port).bigEndian
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
    }

    /// Copies a sockaddr_in or sockaddr_in6 into `storage`; returns its length.
    private static func store<Address>(_ address: Address, in storage: inout sockaddr_storage) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
        return socklen_t(MemoryLayout<Address>.size)
    }

    /// connect(2) on `fd`; returns 0 or the errno value.
    func connect(_ fd: Int32) -> Int32 {
        var address = storage
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        return result == 0 ? 0 : errno
    }
}
