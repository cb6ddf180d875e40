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

    static func varintSize(_ value: UInt64) -> Int {
        // 7 bits a byte; a zero still takes one byte.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    private mutating func write(_ value: EncodedValue) {
        switch value {
        case .null: tag(.null)
        case .bool(let b): tag(b ? .true : .false)
        case .signed(let v): tag(.signed); varint(Self.zigzag(v))
        case .unsigned(let v): tag(.unsigned); varint(v)
        case .float(let f): tag(.float32); littleEndian(UInt64(f.bitPattern), count: 4)
        case .double(let d): tag(.float64); littleEndian(d.bitPattern, count: 8)
        case .string(let s):
            tag(.string)
            varint(UInt64(s.utf8.count))
            bytes.append(contentsOf: s.utf8)
        case .bytes(let b):
            tag(.bytes)
            varint(UInt64(b.count))
            bytes.append(contentsOf: b)
        case .container(let c):
            switch c.kind {
            case .single:
                if let inner = c.singleValue {
                    write(inner)
                } else {
                    tag(.keyed); varint(1); varint(0)
                }
            case .keyed, .unkeyed:
                tag(c.kind == .keyed ? .keyed : .unkeyed)
                varint(UInt64(c.bodyLength))
                varint(UInt64(c.count))
                for (key, v) in c.entries {
                    varint(UInt64(key.utf8.count))
                    bytes.append(contentsOf: key.utf8)
                    write(v)
                }
                for v in c.values { write(v) }
            }
        }
    }

    private mutating func tag(_ tag: WireTag) { bytes.append(tag.rawValue) }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func littleEndian(_ value: UInt64, count: Int) {
        for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}
