/// How Python's `ShareableList` stores each kind of value in its slot: the `struct`
/// format, the back-transform code and the bytes (see `ShareableListLayout`).
extension ShareableValue {
    /// Python's back-transform code: 0 for a number or a bool (the format tells which),
    /// 1 for a str, 2 for bytes, 3 for None.
    var transformCode: Int8 {
        switch self {
        case .int, .float, .bool: 0
        case .string: 1
        case .bytes: 2
        case .none: 3
        }
    }

    /// The bytes of a string (UTF-8) or of bytes; nil for the fixed-size kinds.
    private var storedBytes: [UInt8]? {
        switch self {
        case .string(let string): Array(string.utf8)
        case .bytes(let bytes): bytes
        default: nil
        }
    }

    /// The slot a new list gives this value: 8 bytes, or for a string or bytes the next
    /// multiple of 8 above its length (Python's `8 * (len // 8 + 1)`). A string's length is
    /// counted in UTF-8 bytes: Python (3.11 to the 2026 main branch) counts characters, and
    /// so cuts a string with multi-byte characters short (CPython issue 145261); Python
    /// reads the larger slot all the same.
    var slotLengthWhenCreated: Int {
        guard let bytes = storedBytes else { return ShareableListLayout.wordSize }
        return ShareableListLayout.wordSize * (bytes.count / ShareableListLayout.wordSize + 1)
    }

    /// Python's `struct` format for this value in a slot of `slotLength` bytes: a string or
    /// bytes takes the whole slot, as Python's `__setitem__` gives it.
    func packingFormat(slotLength: Int) -> String {
        switch self {
        case .int: "q"
        case .float: "d"
        case .bool: "xxxxxxx?"
        case .none: "xxxxxx?x"
        case .string, .bytes: "\(slotLength)s"
        }
    }

    /// Whether the value fits a slot of `slotLength` bytes as Python checks it: a string or
    /// bytes no longer than the slot, a fixed-size value in 8 bytes, and a format of at most
    /// 8 characters (Python's limit: a string slot of 10 MB or more has none that fits).
    func fits(slotLength: Int) -> Bool {
        (storedBytes?.count ?? ShareableListLayout.wordSize) <= slotLength
            && packingFormat(slotLength: slotLength).utf8.count <= ShareableListLayout.wordSize
    }

    /// Writes the value as Python's `struct.pack_into` writes it, over the whole slot
    /// (padding included, as zeros). The value `fits` the slot.
    func pack(into slot: UnsafeMutableRawBufferPointer) {
        slot.initializeMemory(as: UInt8.self, repeating: 0)
        switch self {
        case .int(let value): slot.storeBytes(of: Int64(value), as: Int64.self)
        case .float(let value): slot.storeBytes(of: value, as: Double.self)
        case .bool(let value): slot[Self.boolPosition] = value ? 1 : 0
        case .none: break
        case .string, .bytes: slot.copyBytes(from: storedBytes!)
        }
    }

    /// Where `xxxxxxx?` puts a bool: after seven pad bytes.
    private static let boolPosition = 7

    /// The value Python would read from `slot` with this `format` and back-transform `code`;
    /// `.undecodableMessage` for a combination Python never writes, a length beyond the
    /// slot, or a str that is not UTF-8. As Python, a string or bytes loses its trailing
    /// NULs (Python strips them to remove the padding: CPython issue 106939).
    init(unpacking slot: UnsafeRawBufferPointer, format: String, code: Int8) throws(ProcessError) {
        func undecodable() -> ProcessError {
            ProcessError(.undecodableMessage, operation: "ShareableList: an item with format \"\(format)\" and code \(code) in \(slot.count) bytes")
        }
        if code == ShareableValue.none.transformCode {
            self = .none
            return
        }
        if code == 0 {
            guard slot.count >= ShareableListLayout.wordSize else { throw undecodable() }
            switch format {
            case "q": self = .int(Int(slot.loadUnaligned(as: Int64.self)))
            case "d": self = .float(slot.loadUnaligned(as: Double.self))
            case "xxxxxxx?": self = .bool(slot[Self.boolPosition] != 0)
            default: throw undecodable()
            }
            return
        }
        guard format.last == "s", let length = Int(format.dropLast()), length >= 0, length <= slot.count else {
            throw undecodable()
        }
        var bytes = slot[..<length]
        while bytes.last == 0 { bytes = bytes.dropLast() }
        switch code {
        case 1:
            guard let string = String(validating: bytes, as: UTF8.self) else { throw undecodable() }
            self = .string(string)
        case 2: self = .bytes(Array(bytes))
        default: throw undecodable()
        }
    }
}
