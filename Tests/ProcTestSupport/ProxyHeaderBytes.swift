import Glibc

/// PROXY protocol headers as a balancer sends them, built byte by byte for the tests
/// (independently of ProcCore's parser, from HAProxy's doc/proxy-protocol.txt).
public enum ProxyHeaderBytes {
    /// v2's signature.
    public static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// A v1 line: `PROXY <words joined by spaces>\r\n`.
    public static func text(_ words: String...) -> [UInt8] {
        Array(("PROXY " + words.joined(separator: " ") + "\r\n").utf8)
    }

    /// A v2 header: signature, version 2 and `command` (0 LOCAL, 1 PROXY), the family
    /// and transport byte, the length of `body`, then `body`; `length` overrides the
    /// stated length (a header that lies).
    public static func binary(command: UInt8 = 1, family: UInt8, body: [UInt8], length: Int? = nil) -> [UInt8] {
        let stated = length ?? body.count
        return signature + [0x20 | command, family, UInt8(stated >> 8), UInt8(stated & 0xFF)] + body
    }

    /// The address block of TCP over IPv4 (family 0x11) or IPv6 (0x21): both addresses, then both ports.
    public static func inetBlock(source: String, destination: String, sourcePort: Int, destinationPort: Int) -> [UInt8] {
        address(source) + address(destination) + port(sourcePort) + port(destinationPort)
    }

    /// The address block of a Unix stream socket (family 0x31): two 108-byte paths.
    public static func unixBlock(source: String, destination: String) -> [UInt8] {
        func path(_ text: String) -> [UInt8] { Array(text.utf8.prefix(108)) + [UInt8](repeating: 0, count: 108 - min(108, text.utf8.count)) }
        return path(source) + path(destination)
    }

    /// A TLV: type, 16-bit length, value.
    public static func tlv(_ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        [type, UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value
    }

    private static func address(_ text: String) -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        precondition(inet_pton(AF_INET6, text, &v6) == 1, "not a numeric address: \(text)")
        return withUnsafeBytes(of: v6) { Array($0) }
    }

    private static func port(_ value: Int) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}
