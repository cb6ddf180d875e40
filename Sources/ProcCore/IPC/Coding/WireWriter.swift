/// Writes `BinaryEncoder`'s tree in the wire format (see `WireTag`): one pass to measure,
/// so that the buffer is allocated once and container lengths are known up front, one to write.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    /// The encoded form of `value`.
    static func encode(_ value: EncodedValue) -> [UInt8] {
        var writer = WireWriter()
        writer.bytes.reserveCapacity(measure(value))
        writer.write(value)
        return writer.bytes
    }

    /// The encoded size of `value`; records each container's body length on the way.
    static func measure(_ value: EncodedValue) -> Int {
        switch value {
        case .null, .bool: return 1
        case .signed(let v): return 1 + varintSize(zigzag(v))
        case .unsigned(let v): return 1 + varintSize(v)
        case .float: return 5
        case .double: return 9
        case .string(let s): return lengthPrefixed(s.utf8.count)
        case .bytes(let b): return lengthPrefixed(b.count)
        case .wire(let w): return w.count
        case .container(let c):
            if c.kind == .single { return c.singleValue.map(measure) ?? 3 }
            var body = varintSize(UInt64(c.count))
            for (key, v) in c.entries { body += varintSize(UInt64(key.utf8.count)) + key.utf8.count + measure(v) }
            for v in c.values { body += measure(v) }
            c.bodyLength = body
            return lengthPrefixed(body)
        }
    }

    private static func lengthPrefixed(_ count: Int) -> Int { 1 + varintSize(UInt64(count)) + count }

    private static func varintSize(_ value: UInt64) -> Int { [UInt8].varintSize(value) }

    private static func zigzag(_ value: Int64) -> UInt64 { [UInt8].zigzag(value) }

    private mutating func write(_ value: EncodedValue) {
        guard case .container(let c) = value else {
            _ = bytes.appendScalar(value)
            return
        }
        switch c.kind {
        case .single:
            if let inner = c.singleValue {
                write(inner)
            } else {
                bytes.append(contentsOf: [WireTag.keyed.rawValue, 1, 0])
            }
        case .keyed, .unkeyed:
            bytes.append(c.kind == .keyed ? WireTag.keyed.rawValue : WireTag.unkeyed.rawValue)
            bytes.appendVarint(UInt64(c.bodyLength))
            bytes.appendVarint(UInt64(c.count))
            for (key, v) in c.entries {
                bytes.appendVarint(UInt64(key.utf8.count))
                bytes.append(contentsOf: key.utf8)
                write(v)
            }
            for v in c.values { write(v) }
        }
    }
}
