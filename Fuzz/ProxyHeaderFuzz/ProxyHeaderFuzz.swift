import ProcCore

/// The fuzz target: parses the input as a connection's first bytes. The parser must never
/// trap, and what it says must hold what `ProxyHeaderReader` relies on: a header fits in
/// the bytes and within its version's limit, is the same with the client's bytes after it
/// cut off, and every shorter prefix of it is "incomplete" (so the reader takes only
/// header bytes off the socket); "incomplete" never outgrows the limits (the reader's
/// buffer); a failure stays the same failure whatever bytes follow; an address carried
/// reads back from its own description.
/// Exported under libFuzzer's name too: its runtime refers to that symbol.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let scan = parse(bytes)
    switch scan {
    case .header(let header):
        precondition(header.length > 0 && header.length <= bytes.count, "a header longer than its bytes")
        let limit = header.version == .text ? ProxyHeader.maximumTextLength : ProxyHeader.maximumBinaryLength
        precondition(header.length <= limit, "a header past its limit")
        precondition(parse(Array(bytes[0..<header.length])) == scan, "the bytes after the header changed it")
        for end in 0..<header.length {
            precondition(parse(Array(bytes[0..<end])) == .incomplete, "a prefix of a header is not incomplete")
        }
        if case .proxied(let source, let destination) = header.endpoints {
            for address in [source, destination] {
                if case .tcp = address { precondition(SocketAddress("\(address)") == address, "\(address) does not read back") }
            }
        }
    case .incomplete:
        precondition(bytes.count < ProxyHeader.maximumBinaryLength, "incomplete past the reader's buffer")
        if bytes.first == UInt8(ascii: "P") { precondition(bytes.count < ProxyHeader.maximumTextLength, "a v1 line incomplete past 107 bytes") }
    case .failure:
        for next: UInt8 in [0x0A, 0x0D, 0x20, 0x00] {
            precondition(parse(bytes + [next]) == scan, "a failure changed with the bytes after it")
        }
    }
    return 0
}

private func parse(_ bytes: [UInt8]) -> ProxyHeaderScan {
    bytes.withUnsafeBytes { ProxyHeaderParser.parse($0) }
}
