import CProcShim

import Glibc

/// A `SocketAddress` as the socket calls take it: a `sockaddr_storage` holding a
/// `sockaddr_in`, `sockaddr_in6` or `sockaddr_un`, and its length. The one place where an
/// address becomes a sockaddr, so that a client that connects many times (a load
/// generator) converts it once.
struct SystemSocketAddress: Sendable {
    private var storage = sockaddr_storage()
    /// The length of the sockaddr in `storage`.
    private(set) var length: socklen_t = 0

    /// AF_INET, AF_INET6 or AF_UNIX.
    var family: Int32 { Int32(storage.ss_family) }

    /// `address` as a sockaddr. Throws EINVAL, with `operation`, for a host that is not a
    /// numeric address or a port outside 0...65535, and EINVAL or ENAMETOOLONG for an empty
    /// Unix path or one that does not fit sun_path.
    init(_ address: SocketAddress, operation: @autoclosure () -> String) throws(ProcessError) {
        switch address {
        case .tcp(let host, let port):
            guard (0...65535).contains(port) else { throw .systemCall(operation(), EINVAL) }
            let networkPort = UInt16(port).bigEndian
            var v4 = sockaddr_in()
            var v6 = sockaddr_in6()
            if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = networkPort
                store(v4, length: MemoryLayout<sockaddr_in>.size)
            } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
                v6.sin6_family = sa_family_t(AF_INET6)
                v6.sin6_port = networkPort
                store(v6, length: MemoryLayout<sockaddr_in6>.size)
            } else {
                throw .systemCall(operation(), EINVAL)
            }
        case .unix(let path):
            var unix = sockaddr_un()
            var unixLength: socklen_t = 0
            try check(operation(), pc_unix_address(path, &unix, &unixLength))
            store(unix, length: Int(unixLength))
        }
    }

    private mutating func store<Address>(_ address: Address, length: Int) {
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
        self.length = socklen_t(length)
    }

    /// Calls `body` with the sockaddr and its length.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
