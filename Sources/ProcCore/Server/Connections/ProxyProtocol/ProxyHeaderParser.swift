import Glibc

/// Reads a PROXY protocol header, version 1 or 2, from the first bytes of a connection:
/// a pure function of those bytes, which tells whether they hold a whole header, could
/// still become one, or cannot (HAProxy's doc/proxy-protocol.txt).
///
/// ```swift
/// let scan = bytes.withUnsafeBytes { ProxyHeaderParser.parse($0) }
/// ```
///
/// It decides as early as the bytes allow, so that a reader never waits for bytes that
/// cannot help: a first byte that begins neither version is `.notProxyHeader` at once, a
/// v2 length past the limit is `.tooLong` as soon as the 16-byte block is in.
public enum ProxyHeaderParser {
    /// v2's 12-byte signature.
    static let binarySignature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// What every v1 line begins with.
    static let textPrefix = Array("PROXY ".utf8)
    /// v2's fixed block: signature, version and command, family and transport, length.
    static let binaryBlockLength = 16

    /// What `bytes`, the first bytes read from a connection (all of them so far, from
    /// the first), hold: a whole header, the start of one, or a failure.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> ProxyHeaderScan {
        guard let first = bytes.first else { return .incomplete }
        switch first {
        case textPrefix[0]: return parseText(bytes)
        case binarySignature[0]: return parseBinary(bytes)
        default: return .failure(.notProxyHeader)
        }
    }

    // MARK: - Version 1

    private static func parseText(_ bytes: UnsafeRawBufferPointer) -> ProxyHeaderScan {
        for (index, expected) in textPrefix.enumerated() where index < bytes.count && bytes[index] != expected {
            // "PROXY" then anything but a space is a v1 line gone wrong; before that, not one.
            return .failure(index < textPrefix.count - 1 ? .notProxyHeader : .malformed)
        }
        // Printable ASCII up to CR LF, within the limit; a CR without its LF, or an LF
        // without its CR, ends nothing and is refused.
        var end: Int?
        var index = 0
        while index < min(bytes.count, ProxyHeader.maximumTextLength) {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") {
                guard index + 1 < bytes.count else { break }
                guard bytes[index + 1] == UInt8(ascii: "\n") else { return .failure(.malformed) }
                end = index
                break
            }
            guard byte >= 0x20 && byte < 0x7F else { return .failure(.malformed) }
            index += 1
        }
        guard let end else {
            return bytes.count >= ProxyHeader.maximumTextLength ? .failure(.tooLong) : .incomplete
        }
        let length = end + 2
        let fields = UnsafeRawBufferPointer(rebasing: bytes[textPrefix.count..<end]).split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard let proto = fields.first else { return .failure(.malformed) }
        let family: Int32
        switch String(decoding: proto, as: UTF8.self) {
        case "UNKNOWN":
            // Whatever follows is to be ignored: the connection's own addresses are used.
            return .header(ProxyHeader(version: .text, endpoints: .local, length: length))
        case "TCP4": family = AF_INET
        case "TCP6": family = AF_INET6
        default:
            return .failure(fields.count == 5 ? .unsupportedFamily : .malformed)
        }
        guard fields.count == 5,
              let source = textHost(fields[1], family: family), let destination = textHost(fields[2], family: family),
              let sourcePort = textPort(fields[3]), let destinationPort = textPort(fields[4]) else { return .failure(.malformed) }
        return .header(ProxyHeader(
            version: .text,
            endpoints: .proxied(source: .tcp(host: source, port: sourcePort), destination: .tcp(host: destination, port: destinationPort)),
            length: length))
    }

    /// A numeric address of `family` as written in the line, or nil; inet_pton refuses
    /// leading zeros in IPv4, as the specification does.
    private static func textHost(_ field: Slice<UnsafeRawBufferPointer>, family: Int32) -> String? {
        guard !field.isEmpty, field.count <= 45 else { return nil }
        let host = String(decoding: field, as: UTF8.self)
        var address = in6_addr()
        return inet_pton(family, host, &address) == 1 ? host : nil
    }

    /// A decimal port 0...65535 without leading zeros, or nil.
    private static func textPort(_ field: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard (1...5).contains(field.count), field.first != UInt8(ascii: "0") || field.count == 1 else { return nil }
        var port = 0
        for byte in field {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            port = port * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return port <= 65535 ? port : nil
    }

    // MARK: - Version 2

    private static func parseBinary(_ bytes: UnsafeRawBufferPointer) -> ProxyHeaderScan {
        for (index, expected) in binarySignature.enumerated() where index < bytes.count && bytes[index] != expected {
            return .failure(.notProxyHeader)
        }
        if bytes.count > 12 {
            // The high nibble is the version (2 only), the low one the command: LOCAL or PROXY.
            guard bytes[12] >> 4 == 2, bytes[12] & 0x0F <= 1 else { return .failure(.malformed) }
        }
        guard bytes.count >= binaryBlockLength else { return .incomplete }
        let length = binaryBlockLength + (Int(bytes[14]) << 8 | Int(bytes[15]))
        guard length <= ProxyHeader.maximumBinaryLength else { return .failure(.tooLong) }
        guard bytes.count >= length else { return .incomplete }
        let isLocal = bytes[12] & 0x0F == 0
        // LOCAL ignores the family and the addresses, whatever they are.
        if isLocal { return .header(ProxyHeader(version: .binary, endpoints: .local, length: length)) }
        let family = bytes[13] >> 4
        let transport = bytes[13] & 0x0F
        // Families: UNSPEC, INET, INET6, UNIX; transports: UNSPEC, STREAM, DGRAM.
        guard family <= 3, transport <= 2, transport != 2 else { return .failure(.unsupportedFamily) }
        guard family != 0, transport != 0 else {
            return .header(ProxyHeader(version: .binary, endpoints: .local, length: length))
        }
        // The address block, then TLVs, which are skipped.
        let block = UnsafeRawBufferPointer(rebasing: bytes[binaryBlockLength..<length])
        let endpoints: ProxyHeader.Endpoints?
        switch family {
        case 1: endpoints = inetEndpoints(block, family: AF_INET, addressLength: 4)
        case 2: endpoints = inetEndpoints(block, family: AF_INET6, addressLength: 16)
        default: endpoints = unixEndpoints(block)
        }
        guard let endpoints else { return .failure(.malformed) }
        return .header(ProxyHeader(version: .binary, endpoints: endpoints, length: length))
    }

    /// Source and destination addresses, then ports; nil when the block is too short.
    private static func inetEndpoints(_ block: UnsafeRawBufferPointer, family: Int32, addressLength: Int) -> ProxyHeader.Endpoints? {
        guard block.count >= 2 * addressLength + 4 else { return nil }
        let ports = 2 * addressLength
        guard let source = binaryHost(block, at: 0, family: family),
              let destination = binaryHost(block, at: addressLength, family: family) else { return nil }
        return .proxied(
            source: .tcp(host: source, port: Int(block[ports]) << 8 | Int(block[ports + 1])),
            destination: .tcp(host: destination, port: Int(block[ports + 2]) << 8 | Int(block[ports + 3])))
    }

    /// The address at `offset` of the block, written as text (inet_ntop).
    private static func binaryHost(_ block: UnsafeRawBufferPointer, at offset: Int, family: Int32) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text in
            guard inet_ntop(family, block.baseAddress! + offset, text.baseAddress!, socklen_t(text.count)) != nil else { return nil }
            return String(cString: text.baseAddress!)
        }
    }

    /// Two 108-byte sun_path fields; nil when the block is too short.
    private static func unixEndpoints(_ block: UnsafeRawBufferPointer) -> ProxyHeader.Endpoints? {
        let pathLength = 108
        guard block.count >= 2 * pathLength else { return nil }
        return .proxied(
            source: .unix(path: unixPath(UnsafeRawBufferPointer(rebasing: block[0..<pathLength]))),
            destination: .unix(path: unixPath(UnsafeRawBufferPointer(rebasing: block[pathLength..<2 * pathLength]))))
    }

    /// A path up to its NUL; an abstract name (a leading NUL) as `@name`, without the
    /// NULs that pad it; an unnamed socket (all NULs) as an empty path.
    private static func unixPath(_ field: UnsafeRawBufferPointer) -> String {
        if field[0] != 0 {
            return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard let last = field.lastIndex(where: { $0 != 0 }) else { return "" }
        return "@" + String(decoding: field[1...last], as: UTF8.self)
    }
}
