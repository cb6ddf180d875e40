import Glibc

/// Appends one line of the server's log, text or JSON, into memory it does not own (the
/// log's buffer, or a buffer on the stack), never past its capacity and without
/// allocating: the fork-per-connection parent renders a line per connection with it, and
/// every heap page it touched would be copied at the next fork.
///
/// A JSON line stays valid when it is cut: room is kept for what closes it, a string is
/// cut between characters, and a field is written whole or not at all.
struct LogLineWriter {
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    /// Where appends stop: below `capacity` while room is kept for what closes the line.
    private var limit: Int
    /// The bytes written.
    private(set) var count = 0
    /// Whether text goes in as the inside of a JSON string (escaped, invalid UTF-8 as U+FFFD).
    private var escapesJSON = false
    /// Set when a piece did not fit: nothing more goes in until the limit is moved.
    private var isFull = false

    /// What a JSON line keeps free for its fields while its message is written.
    private static let fieldsRoom = 160

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
        limit = capacity
    }

    /// Writes `event` as one line (no newline) in `format`.
    mutating func write<Event: ServerLogEvent>(_ event: Event, as format: ServerLogFormat) {
        guard format == .json else {
            event.writeMessage(to: &self)
            return
        }
        limit = capacity - 1  // the closing brace
        append("{\"time\":\"")
        appendTimestamp()
        append("\",\"level\":\"")
        append(event.level.name)
        append("\",\"event\":\"")
        append(event.name)
        append("\",\"message\":\"")
        inString(keeping: Self.fieldsRoom) { event.writeMessage(to: &$0) }
        append("\"")
        event.writeFields(to: &self)
        limit = capacity
        isFull = false
        append("}")
    }

    // MARK: - Text

    /// Appends literal text.
    mutating func append(_ text: StaticString) {
        append(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `text`.
    mutating func append(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { append(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            for byte in text.utf8 {
                withUnsafeBytes(of: byte) { append(bytes: $0) }
            }
        }
    }

    /// Appends `peer` as `host:port`, `[host]:port` for IPv6, or the Unix socket's path.
    mutating func append(_ peer: SocketAddress) {
        switch peer {
        case .tcp(let host, let port):
            let isIPv6 = host.utf8.contains(UInt8(ascii: ":"))
            if isIPv6 { append("[") }
            append(host)
            append(isIPv6 ? "]:" : ":")
            append(port)
        case .unix(let path):
            // A Unix socket's client seldom binds a name: `unix`, or `unix:NAME` when it did.
            append(path.isEmpty ? "unix" : "unix:")
            append(path)
        }
    }

    /// Appends `number` in decimal.
    mutating func append<Number: BinaryInteger>(_ number: Number) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: any Int64 with its sign
        let magnitude = UInt64(number.magnitude)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var index = scratch.count
            var rest = magnitude
            repeat {
                index -= 1
                scratch[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if number < 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "-")
            }
            put(UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }

    /// Appends `bytes`, escaped inside a JSON string.
    mutating func append(bytes: UnsafeRawBufferPointer) {
        if escapesJSON { appendEscaped(bytes) } else { put(bytes) }
    }

    // MARK: - JSON fields

    /// Appends `,"key":number`.
    mutating func field<Number: BinaryInteger>(_ key: StaticString, _ number: Number) {
        guard fieldKey(key, valueRoom: 21) else { return }
        append(number)
    }

    /// Appends `,"key":"text"`, escaped.
    mutating func field(_ key: StaticString, _ text: String) {
        guard fieldKey(key, valueRoom: 2) else { return }
        append("\"")
        inString(keeping: 0) { $0.append(text) }
        append("\"")
    }

    /// Appends `,"key":"host:port"` (`[host]:port` for IPv6).
    mutating func field(_ key: StaticString, _ peer: SocketAddress) {
        guard fieldKey(key, valueRoom: 2) else { return }
        append("\"")
        inString(keeping: 0) { $0.append(peer) }
        append("\"")
    }

    /// Appends `,"key":seconds` (a JSON number: `10`, `0.5`).
    mutating func field(_ key: StaticString, seconds duration: Duration) {
        guard fieldKey(key, valueRoom: 24) else { return }
        append(duration.secondsText)
    }

    /// Appends `"exit_code":N` for an exit code, `"signal":N` for -N (signal N ended it).
    mutating func exitFields(_ code: Int32) {
        if code < 0 { field("signal", -Int(code)) } else { field("exit_code", code) }
    }

    // MARK: - Pieces

    /// Writes `,"key":` if the key and `valueRoom` more bytes fit.
    private mutating func fieldKey(_ key: StaticString, valueRoom: Int) -> Bool {
        guard !isFull, limit - count >= key.utf8CodeUnitCount + 4 + valueRoom else { return false }
        append(",\"")
        append(key)
        append("\":")
        return true
    }

    /// Runs `body` with text escaped as a JSON string's inside, keeping `room` bytes and
    /// the closing quote free.
    private mutating func inString(keeping room: Int, _ body: (inout LogLineWriter) -> Void) {
        let outer = limit
        limit = max(count, limit - room - 1)
        escapesJSON = true
        body(&self)
        escapesJSON = false
        limit = outer
        isFull = false
    }

    /// The current time in RFC 3339, UTC, with microseconds: `2026-12-01T23:59:01.123456Z`.
    private mutating func appendTimestamp() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let days = Int(now.tv_sec) / 86_400
        let secondOfDay = Int(now.tv_sec) % 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        appendDigits(year, width: 4)
        append("-")
        appendDigits(month, width: 2)
        append("-")
        appendDigits(day, width: 2)
        append("T")
        appendDigits(secondOfDay / 3600, width: 2)
        append(":")
        appendDigits(secondOfDay / 60 % 60, width: 2)
        append(":")
        appendDigits(secondOfDay % 60, width: 2)
        append(".")
        appendDigits(Int(now.tv_nsec) / 1000, width: 6)
        append("Z")
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`): no time zone, no libc.
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Appends `value` (0 or more) in decimal, zero-padded to `width` digits.
    private mutating func appendDigits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            let digit = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10)
            withUnsafeBytes(of: digit) { put($0) }
            rest %= divisor
            divisor /= 10
        }
    }

    /// Appends `bytes` as the inside of a JSON string: `"` and `\` escaped, control
    /// characters as `\n`, `\t`... or `\u00XX`, and each byte that is not part of valid
    /// UTF-8 as U+FFFD. A character is written whole or not at all.
    private mutating func appendEscaped(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count && !isFull {
            let byte = bytes[index]
            let length = Self.utf8SequenceLength(bytes, at: index)
            if length == 0 {
                put(Self.replacementCharacter)
                index += 1
                continue
            }
            if length > 1 || (byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")) {
                put(UnsafeRawBufferPointer(rebasing: bytes[index..<index + length]))
            } else {
                putEscape(for: byte)
            }
            index += length
        }
    }

    private static var replacementCharacter: UnsafeRawBufferPointer {
        let text: StaticString = "\u{FFFD}"
        return UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    private mutating func putEscape(for byte: UInt8) {
        var escape: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (UInt8(ascii: "\\"), 0, 0, 0, 0, 0)
        var length = 2
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape.1 = byte
        case 0x08: escape.1 = UInt8(ascii: "b")
        case 0x0C: escape.1 = UInt8(ascii: "f")
        case 0x0A: escape.1 = UInt8(ascii: "n")
        case 0x0D: escape.1 = UInt8(ascii: "r")
        case 0x09: escape.1 = UInt8(ascii: "t")
        default:
            let hex: StaticString = "0123456789abcdef"
            escape.1 = UInt8(ascii: "u")
            escape.2 = UInt8(ascii: "0")
            escape.3 = UInt8(ascii: "0")
            escape.4 = hex.utf8Start[Int(byte >> 4)]
            escape.5 = hex.utf8Start[Int(byte & 0xF)]
            length = 6
        }
        withUnsafeBytes(of: &escape) { put(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// The length of the valid UTF-8 sequence that starts at `index`, or 0 when the byte
    /// there does not start one (a stray continuation byte, an overlong form, a surrogate,
    /// a sequence cut short, or beyond U+10FFFF).
    static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xED: length = 3; high = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; low = 0x90
        case 0xF4: length = 4; high = 0x8F
        case 0xF1...0xF3: length = 4
        default: return 0
        }
        guard index + length <= bytes.count, (low...high).contains(bytes[index + 1]) else { return 0 }
        for next in index + 2 ..< index + length where bytes[next] & 0xC0 != 0x80 { return 0 }
        return length
    }

    /// Copies `bytes` whole if they fit below the limit; otherwise the line is full.
    private mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard !isFull, bytes.count > 0 else { return }
        guard bytes.count <= limit - count else {
            isFull = true
            return
        }
        (base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }
}
