/// The writers of the wire format's pieces (see `WireTag`), in one place for the streaming
/// encoder, the tree's writer and the arrays of scalars.
extension [UInt8] {
    /// Appends `value` as a LEB128 varint: 7 bits a byte, the low ones first.
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }

    /// Appends the low `count` bytes of `value`, the lowest first.
    mutating func appendLittleEndian(_ value: UInt64, count: Int) {
        for i in 0..<count { append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    mutating func appendSigned(_ value: Int64) {
        append(WireTag.signed.rawValue)
        appendVarint(Self.zigzag(value))
    }

    mutating func appendUnsigned(_ value: UInt64) {
        append(WireTag.unsigned.rawValue)
        appendVarint(value)
    }

    mutating func appendBool(_ value: Bool) {
        append(value ? WireTag.true.rawValue : WireTag.false.rawValue)
    }

    mutating func appendFloat(_ value: Float) {
        append(WireTag.float32.rawValue)
        appendLittleEndian(UInt64(value.bitPattern), count: 4)
    }

    mutating func appendDouble(_ value: Double) {
        append(WireTag.float64.rawValue)
        appendLittleEndian(value.bitPattern, count: 8)
    }

    /// Appends a string value: its tag, its UTF-8 length and its UTF-8 (read in place).
    mutating func appendString(_ value: String) {
        var value = value
        append(WireTag.string.rawValue)
        value.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }

    mutating func appendBytes(_ value: [UInt8]) {
        append(WireTag.bytes.rawValue)
        appendVarint(UInt64(value.count))
        append(contentsOf: value)
    }

    /// Appends a scalar of the tree, or a value already in its wire form; false (nothing
    /// written) for a container, which the tree's writer measures first.
    mutating func appendScalar(_ value: EncodedValue) -> Bool {
        switch value {
        case .null: append(WireTag.null.rawValue)
        case .bool(let b): appendBool(b)
        case .signed(let v): appendSigned(v)
        case .unsigned(let v): appendUnsigned(v)
        case .float(let f): appendFloat(f)
        case .double(let d): appendDouble(d)
        case .string(let s): appendString(s)
        case .bytes(let b): appendBytes(b)
        case .wire(let w): append(contentsOf: w)
        case .container: return false
        }
        return true
    }

    /// Appends an unkeyed container of `count` items that `body` appends, writing the
    /// body's byte length before it once known (see `fillReserved`).
    mutating func appendUnkeyed(count: Int, _ body: (inout [UInt8]) -> Void) {
        append(WireTag.unkeyed.rawValue)
        let lengthAt = self.count
        append(0)
        appendVarint(UInt64(count))
        body(&self)
        fillReserved(1, at: lengthAt, withVarints: UInt64(self.count - lengthAt - 1))
    }

    /// Writes `first` (then `second`) as varints over the `reserved` bytes kept for them at
    /// `position`, a byte each: a container's length and count, known once its body is
    /// written. The body moves when they need more (128 items or more, or over 127 bytes;
    /// once per container).
    mutating func fillReserved(_ reserved: Int, at position: Int, withVarints first: UInt64, _ second: UInt64? = nil) {
        let size = Self.varintSize(first) + (second.map(Self.varintSize) ?? 0)
        if size > reserved { insert(contentsOf: repeatElement(0, count: size - reserved), at: position + reserved) }
        var position = position
        writeVarint(first, at: &position)
        if let second { writeVarint(second, at: &position) }
    }

    /// Writes `value` as a varint over the bytes at `position`, which it moves past them.
    private mutating func writeVarint(_ value: UInt64, at position: inout Int) {
        var v = value
        while v >= 0x80 {
            self[position] = UInt8(truncatingIfNeeded: v) | 0x80
            position += 1
            v >>= 7
        }
        self[position] = UInt8(v)
        position += 1
    }

    /// How many bytes `value` takes as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        // 7 bits a byte; a zero still takes one byte.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// A signed value as the unsigned one its varint holds: 0, -1, 1, -2... as 0, 1, 2, 3...,
    /// so that small negative numbers stay short.
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}
