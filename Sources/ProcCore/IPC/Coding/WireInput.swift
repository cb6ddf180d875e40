import Glibc

/// The bytes `BinaryDecoder` reads, with bounds-checked readers for the wire format
/// (see `WireTag`). Every length and count is checked against the bytes that are really
/// there before anything is allocated or read, so no input makes it trap.
///
/// The bytes are borrowed, not owned: a pointer into the caller's array or into a
/// `Connection`'s read-ahead buffer, valid for one `BinaryDecoder` call (which checks that
/// no decoder outlives it). Reading through the pointer, with the bounds checked once per
/// value against its span, is what an array's per-byte index checks and its retain were
/// not: a message's bytes are read in place, without a copy into an array of their own.
struct WireInput {
    /// The first byte; never read past `count`.
    private let base: UnsafePointer<UInt8>
    /// How many bytes there are.
    let count: Int

    /// The bytes of `buffer`, borrowed for as long as the caller keeps `buffer` valid.
    init(borrowing buffer: UnsafeRawBufferPointer) {
        // An empty buffer may have no address: any address will do, as nothing is read.
        base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        count = buffer.count
    }

    /// The bytes of `range`, which lies within the input.
    func buffer(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    // `tag`, `varint`, `length`, `skip` and `span` are always inlined: they run for every
    // value read, and inlining them took a tenth off a small message's decoding.

    /// The tag of the value at `position` (before `end`).
    @inline(__always)
    func tag(at position: Int, end: Int) throws -> WireTag {
        guard position < end else { throw CodingFailure.corrupt("a value is missing at byte \(position)") }
        guard let tag = WireTag(byte: base[position]) else {
            throw CodingFailure.corrupt("unknown tag \(base[position]) at byte \(position)")
        }
        return tag
    }

    /// A LEB128 varint at `position`, which it moves past it.
    @inline(__always)
    func varint(at position: inout Int, end: Int) throws -> UInt64 {
        // Most lengths, counts and small numbers fit one byte: read inline, the rest in a call.
        if position < end, base[position] < 0x80 {
            position += 1
            return UInt64(base[position - 1])
        }
        return try longVarint(at: &position, end: end)
    }

    private func longVarint(at position: inout Int, end: Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw CodingFailure.corrupt("a number is cut short at byte \(position)") }
            let byte = base[position]
            position += 1
            // The tenth byte holds bit 63 only: anything more would not fit 64 bits.
            if shift == 63 && byte > 1 { throw CodingFailure.corrupt("a number longer than 64 bits at byte \(position - 1)") }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A varint length or count of items of at least `minimumItemSize` bytes each, that
    /// must fit in the bytes left before `end`.
    @inline(__always)
    func length(at position: inout Int, end: Int, minimumItemSize: Int = 1) throws -> Int {
        let value = try varint(at: &position, end: end)
        let available = UInt64(end - position) / UInt64(minimumItemSize)
        guard value <= available else {
            throw CodingFailure.corrupt("a length of \(value) at byte \(position) with \(end - position) bytes left")
        }
        return Int(value)
    }

    /// Moves `position` past the value there: constant time for containers, strings and bytes.
    @inline(__always)
    func skip(at position: inout Int, end: Int) throws {
        let tag = try tag(at: position, end: end)
        position += 1
        switch tag {
        case .null, .false, .true: break
        case .signed, .unsigned: _ = try varint(at: &position, end: end)
        case .float32, .float64:
            let size = tag == .float32 ? 4 : 8
            guard end - position >= size else { throw CodingFailure.corrupt("a \(tag.name) is cut short at byte \(position)") }
            position += size
        case .string, .bytes, .keyed, .unkeyed:
            position += try length(at: &position, end: end)
        }
    }

    /// The span of the value at `start`, checked to lie before `end`.
    @inline(__always)
    func span(at start: Int, end: Int) throws -> Range<Int> {
        var position = start
        try skip(at: &position, end: end)
        return start..<position
    }

    /// The body of the container at `span`, after its tag and byte length: `count` items
    /// between `position` and `span.upperBound`.
    func containerBody(_ span: Range<Int>, _ expected: WireTag) throws -> (position: Int, count: Int) {
        try expect(expected, at: span)
        var position = span.lowerBound + 1
        _ = try varint(at: &position, end: span.upperBound)
        // A keyed entry is at least a key length and a tag; an unkeyed one, a tag.
        let count = try length(at: &position, end: span.upperBound, minimumItemSize: expected == .keyed ? 2 : 1)
        return (position, count)
    }

    func expect(_ expected: WireTag, at span: Range<Int>) throws {
        try expect(expected, at: span.lowerBound, end: span.upperBound)
    }

    func expect(_ expected: WireTag, at position: Int, end: Int) throws {
        let found = try tag(at: position, end: end)
        guard found == expected else { throw CodingFailure.mismatch(expected.name, found: found.name) }
    }

    func isNil(_ span: Range<Int>) throws -> Bool {
        try tag(at: span.lowerBound, end: span.upperBound) == .null
    }

    // Each scalar has two readers: one of the value at a span already found by `span(at:end:)`
    // (a keyed entry, a nested value), and one that reads the value at a position and moves
    // past it, checking its bounds on the way (the elements of an array, in one pass).

    func bool(_ span: Range<Int>) throws -> Bool {
        var position = span.lowerBound
        return try bool(at: &position, end: span.upperBound)
    }

    func bool(at position: inout Int, end: Int) throws -> Bool {
        let tag = try tag(at: position, end: end)
        position += 1
        switch tag {
        case .true: return true
        case .false: return false
        case let other: throw CodingFailure.mismatch("a Bool", found: other.name)
        }
    }

    /// An integer of type `I` from a signed or unsigned value that fits it.
    func integer<I: FixedWidthInteger>(_ span: Range<Int>, as type: I.Type) throws -> I {
        var position = span.lowerBound
        return try integer(at: &position, end: span.upperBound, as: type)
    }

    func integer<I: FixedWidthInteger>(at position: inout Int, end: Int, as type: I.Type) throws -> I {
        let tag = try tag(at: position, end: end)
        position += 1
        let result: I?
        switch tag {
        case .signed:
            let raw = try varint(at: &position, end: end)
            // Zigzag back: 0, -1, 1, -2, ... from 0, 1, 2, 3, ...
            result = I(exactly: Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
        case .unsigned:
            result = I(exactly: try varint(at: &position, end: end))
        case let other:
            throw CodingFailure.mismatch("an integer", found: other.name)
        }
        guard let result else { throw CodingFailure.mismatch("a number that fits \(I.self)", found: "one that does not") }
        return result
    }

    func double(_ span: Range<Int>) throws -> Double {
        var position = span.lowerBound
        return try double(at: &position, end: span.upperBound)
    }

    func double(at position: inout Int, end: Int) throws -> Double {
        switch try tag(at: position, end: end) {
        case .float64: return Double(bitPattern: try fixedWidth(at: &position, end: end, count: 8))
        case .float32: return Double(Float(bitPattern: UInt32(try fixedWidth(at: &position, end: end, count: 4))))
        case let other: throw CodingFailure.mismatch("a Double", found: other.name)
        }
    }

    func float(_ span: Range<Int>) throws -> Float {
        var position = span.lowerBound
        return try float(at: &position, end: span.upperBound)
    }

    func float(at position: inout Int, end: Int) throws -> Float {
        try expect(.float32, at: position, end: end)
        return Float(bitPattern: UInt32(try fixedWidth(at: &position, end: end, count: 4)))
    }

    /// The payload of a string or bytes value at `position`, which it moves past it.
    private func payload(at position: inout Int, end: Int, _ expected: WireTag) throws -> Range<Int> {
        try expect(expected, at: position, end: end)
        position += 1
        let count = try length(at: &position, end: end)
        defer { position += count }
        return position..<(position + count)
    }

    func string(_ span: Range<Int>) throws -> String {
        var position = span.lowerBound
        return try string(at: &position, end: span.upperBound)
    }

    func string(at position: inout Int, end: Int) throws -> String {
        let range = try payload(at: &position, end: end, .string)
        guard let string = Self.validString(buffer(range)) else {
            throw CodingFailure.corrupt("a String that is not valid UTF-8 at byte \(range.lowerBound)")
        }
        return string
    }

    /// `utf8` as a String, nil when it is not valid UTF-8. `String(validating:as:)` is
    /// generic over the collection and runs unspecialized here (metadata lookups on every
    /// string); decoding from a buffer pointer is the standard library's fast path, and it
    /// repairs instead of failing: a repair changes the bytes, so equal bytes mean valid input.
    static func validString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        var string = String(decoding: utf8, as: UTF8.self)
        return string.withUTF8 { Self.sameBytes($0, utf8) } ? string : nil
    }

    /// Whether two byte buffers hold the same bytes: one memcmp, where `elementsEqual` is a
    /// loop over the elements (a quarter of a small message's decoding).
    static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return true }
        // A coding key is a few bytes: compared here, without the call into memcmp.
        if a.count <= 16 {
            for i in 0..<a.count where x[i] != y[i] { return false }
            return true
        }
        return memcmp(x, y, a.count) == 0
    }

    func byteArray(_ span: Range<Int>) throws -> [UInt8] {
        var position = span.lowerBound
        return Array(buffer(try payload(at: &position, end: span.upperBound, .bytes)))
    }

    /// Whether the key of `range` is `key` (compared as UTF-8, without making a String).
    func key(_ range: Range<Int>, equals key: String) -> Bool {
        var key = key
        return key.withUTF8 { Self.sameBytes($0, buffer(range)) }
    }

    /// The `count` little-endian bytes after the tag at `position`, which it moves past them.
    private func fixedWidth(at position: inout Int, end: Int, count: Int) throws -> UInt64 {
        guard end - position > count else { throw CodingFailure.corrupt("a number is cut short at byte \(position)") }
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(base[position + 1 + i]) << (8 * UInt64(i)) }
        position += 1 + count
        return value
    }
}
