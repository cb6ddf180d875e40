import ProcCore
import ProcTestSupport
import Testing

/// `ProxyHeaderParser` on bytes built from the specification (`ProxyHeaderBytes`): what
/// it accepts, where it says "more", and every way a header can lie.
@Suite struct ProxyHeaderParserTests {
    private func scan(_ bytes: [UInt8]) -> ProxyHeaderScan {
        bytes.withUnsafeBytes { ProxyHeaderParser.parse($0) }
    }

    private func proxied(_ source: String, _ destination: String, version: ProxyHeader.Version, length: Int) -> ProxyHeaderScan {
        .header(ProxyHeader(version: version, endpoints: .proxied(source: SocketAddress(source)!, destination: SocketAddress(destination)!), length: length))
    }

    /// Every proper prefix of `bytes` is `.incomplete`: a reader may take them off the socket.
    private func expectPrefixesIncomplete(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        for end in 0..<bytes.count {
            #expect(scan(Array(bytes[0..<end])) == .incomplete, "prefix of \(end) bytes", sourceLocation: sourceLocation)
        }
    }

    @Test func textTCP4AndTCP6GiveTheClientAndTheAddressItConnectedTo() {
        let v4 = ProxyHeaderBytes.text("TCP4", "192.168.0.1", "192.168.0.11", "56324", "443")
        #expect(scan(v4 + Array("GET / HTTP/1.0\r\n".utf8)) == proxied("192.168.0.1:56324", "192.168.0.11:443", version: .text, length: v4.count))
        expectPrefixesIncomplete(v4)
        let v6 = ProxyHeaderBytes.text("TCP6", "2001:db8::1", "::1", "65535", "0")
        #expect(scan(v6) == proxied("[2001:db8::1]:65535", "[::1]:0", version: .text, length: v6.count))
    }

    @Test func textUnknownKeepsTheConnectionsOwnAddresses() {
        let short = ProxyHeaderBytes.text("UNKNOWN")
        #expect(scan(short + [0x41]) == .header(ProxyHeader(version: .text, endpoints: .local, length: 15)))
        // The specification's worst case: 107 bytes, CRLF included.
        let ffff = Array(repeating: "ffff", count: 8).joined(separator: ":")
        let longest = ProxyHeaderBytes.text("UNKNOWN", ffff, ffff, "65535", "65535")
        #expect(longest.count == ProxyHeader.maximumTextLength)
        #expect(scan(longest) == .header(ProxyHeader(version: .text, endpoints: .local, length: 107)))
    }

    @Test func aTextLineWithoutCRLFInItsFirst107BytesIsTooLong() {
        let line = Array("PROXY UNKNOWN ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 93)
        #expect(line.count == 107)
        #expect(scan(line) == .failure(.tooLong))
        #expect(scan(Array(line.dropLast())) == .incomplete)
        #expect(scan(line + Array("\r\n".utf8)) == .failure(.tooLong))
    }

    @Test func textLinesThatBreakTheFormatAreMalformed() {
        let lies: [[UInt8]] = [
            ProxyHeaderBytes.text("TCP4", "192.168.000.1", "10.0.0.1", "1", "2"),   // leading zeros
            ProxyHeaderBytes.text("TCP4", "10.0.0.1", "10.0.0.2", "65536", "2"),     // port out of range
            ProxyHeaderBytes.text("TCP4", "10.0.0.1", "10.0.0.2", "080", "2"),       // leading zero in a port
            ProxyHeaderBytes.text("TCP4", "10.0.0.1", "10.0.0.2", "-1", "2"),
            ProxyHeaderBytes.text("TCP4", "::1", "::1", "1", "2"),                   // the family's format
            ProxyHeaderBytes.text("TCP6", "10.0.0.1", "10.0.0.2", "1", "2"),
            ProxyHeaderBytes.text("TCP4", "localhost", "10.0.0.2", "1", "2"),        // a name
            ProxyHeaderBytes.text("TCP4", "10.0.0.1", "10.0.0.2", "1"),              // a field missing
            ProxyHeaderBytes.text("TCP4", "10.0.0.1", "10.0.0.2", "1", "2", "3"),    // one too many
            ProxyHeaderBytes.text("TCP4", "10.0.0.1", "", "10.0.0.2", "1", "2"),     // two spaces
            ProxyHeaderBytes.text(""),
            Array("PROXY TCP4 10.0.0.1 10.0.0.2 1 2\n".utf8),                        // LF alone
            Array("PROXY TCP4 10.0.0.1 10.0.0.2 1 2\rX\r\n".utf8),                   // CR alone
            Array("PROXY TCP4 10.0.0.1\t10.0.0.2 1 2\r\n".utf8),
            Array("PROXY TCP4 10.0.0.1 10.0.0.2 1 2".utf8) + [0xC3, 0xA9, 0x0D, 0x0A],
            Array("PROXYTCP4\r\n".utf8),
        ]
        for lie in lies {
            #expect(scan(lie) == .failure(.malformed), "\(String(decoding: lie, as: UTF8.self).debugDescription)")
        }
    }

    @Test func anUnknownTextProtocolIsAnUnsupportedFamily() {
        #expect(scan(ProxyHeaderBytes.text("UDP4", "10.0.0.1", "10.0.0.2", "1", "2")) == .failure(.unsupportedFamily))
    }

    @Test func bytesThatBeginNeitherVersionAreNotAProxyHeaderAtOnce() {
        #expect(scan([]) == .incomplete)
        #expect(scan(Array("GET / HTTP/1.1\r\n".utf8)) == .failure(.notProxyHeader))
        #expect(scan(Array("G".utf8)) == .failure(.notProxyHeader))
        #expect(scan(Array("PROXX".utf8)) == .failure(.notProxyHeader))
        #expect(scan([0x0D, 0x0A, 0x0D, 0x0A, 0x01]) == .failure(.notProxyHeader))
        #expect(scan([0x16, 0x03, 0x01]) == .failure(.notProxyHeader))   // a TLS ClientHello
    }

    @Test func binaryTCPOverIPv4AndIPv6SkipTheirTLVs() {
        let tlvs = ProxyHeaderBytes.tlv(0x02, Array("example.com".utf8)) + ProxyHeaderBytes.tlv(0x05, [1, 2, 3, 4])
        let v4 = ProxyHeaderBytes.binary(
            family: 0x11, body: ProxyHeaderBytes.inetBlock(source: "203.0.113.7", destination: "10.0.0.1", sourcePort: 41000, destinationPort: 80) + tlvs)
        #expect(scan(v4 + [0x41, 0x42]) == proxied("203.0.113.7:41000", "10.0.0.1:80", version: .binary, length: v4.count))
        expectPrefixesIncomplete(v4)
        let v6 = ProxyHeaderBytes.binary(
            family: 0x21, body: ProxyHeaderBytes.inetBlock(source: "2001:db8::7", destination: "::1", sourcePort: 1, destinationPort: 65535))
        #expect(v6.count == 16 + 36)
        #expect(scan(v6) == proxied("[2001:db8::7]:1", "[::1]:65535", version: .binary, length: 52))
    }

    @Test func binaryLocalAndUnspecKeepTheConnectionsOwnAddresses() {
        let block = ProxyHeaderBytes.inetBlock(source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 1, destinationPort: 2)
        // LOCAL: whatever family and addresses it carries, and its TLVs, are skipped.
        let local = ProxyHeaderBytes.binary(command: 0, family: 0x11, body: block + ProxyHeaderBytes.tlv(0x04, [0, 0]))
        #expect(scan(local) == .header(ProxyHeader(version: .binary, endpoints: .local, length: local.count)))
        let bare = ProxyHeaderBytes.binary(command: 0, family: 0x00, body: [])
        #expect(scan(bare) == .header(ProxyHeader(version: .binary, endpoints: .local, length: 16)))
        for family: UInt8 in [0x00, 0x01, 0x10] {
            #expect(scan(ProxyHeaderBytes.binary(family: family, body: [])) == .header(ProxyHeader(version: .binary, endpoints: .local, length: 16)))
        }
    }

    @Test func binaryUnixGivesPathsAndAbstractNames() {
        let paths = ProxyHeaderBytes.binary(family: 0x31, body: ProxyHeaderBytes.unixBlock(source: "/run/client.sock", destination: "/run/app.sock"))
        #expect(scan(paths) == .header(ProxyHeader(
            version: .binary, endpoints: .proxied(source: .unix(path: "/run/client.sock"), destination: .unix(path: "/run/app.sock")), length: 232)))
        let abstract = ProxyHeaderBytes.binary(family: 0x31, body: ProxyHeaderBytes.unixBlock(source: "\0name", destination: ""))
        #expect(scan(abstract) == .header(ProxyHeader(
            version: .binary, endpoints: .proxied(source: .unix(path: "@name"), destination: .unix(path: "")), length: 232)))
    }

    @Test func aBinaryLengthPastTheLimitIsTooLongAsSoonAsItIsRead() {
        let block = ProxyHeaderBytes.inetBlock(source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 1, destinationPort: 2)
        let past = ProxyHeaderBytes.binary(family: 0x11, body: block, length: ProxyHeader.maximumBinaryLength - 15)
        #expect(scan(Array(past.prefix(16))) == .failure(.tooLong))
        #expect(scan(ProxyHeaderBytes.binary(family: 0x11, body: block, length: 0xFFFF)) == .failure(.tooLong))
        // At the limit, it waits for the rest.
        #expect(scan(ProxyHeaderBytes.binary(family: 0x11, body: block, length: ProxyHeader.maximumBinaryLength - 16)) == .incomplete)
    }

    @Test func binaryHeadersThatLieAreRefused() {
        let block = ProxyHeaderBytes.inetBlock(source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 1, destinationPort: 2)
        // A length shorter than the family's addresses.
        #expect(scan(ProxyHeaderBytes.binary(family: 0x11, body: Array(block.prefix(8)))) == .failure(.malformed))
        #expect(scan(ProxyHeaderBytes.binary(family: 0x21, body: block)) == .failure(.malformed))
        #expect(scan(ProxyHeaderBytes.binary(family: 0x31, body: block)) == .failure(.malformed))
        // A version other than 2, a command other than LOCAL and PROXY: refused at byte 13.
        var version1 = ProxyHeaderBytes.binary(family: 0x11, body: block)
        version1[12] = 0x11
        #expect(scan(Array(version1.prefix(13))) == .failure(.malformed))
        #expect(scan(ProxyHeaderBytes.binary(command: 2, family: 0x11, body: block)) == .failure(.malformed))
        // Families and transports the specification does not define, and datagrams.
        for family: UInt8 in [0x41, 0xF1, 0x13, 0x1F, 0x12, 0x22, 0x32] {
            #expect(scan(ProxyHeaderBytes.binary(family: family, body: block)) == .failure(.unsupportedFamily), "family \(family)")
        }
    }
}
