/// The first byte of every value in the binary format of `BinaryEncoder`, saying what follows.
///
/// The format is self-describing, so that a decoder can check every value against the type
/// it is asked for and skip what it is not asked for:
/// - `null`, `false`, `true`: the tag alone;
/// - `signed` (zigzag) and `unsigned`: a LEB128 varint of at most 10 bytes;
/// - `float32`, `float64`: 4 or 8 bytes, little-endian IEEE 754;
/// - `string` (UTF-8), `bytes`: a varint length, then that many bytes;
/// - `keyed`, `unkeyed`: a varint byte length of the body, then the body: a varint count and
///   that many values, each key of a keyed container a string without its tag before its
///   value. The byte length lets a decoder skip a container in constant time.
enum WireTag: UInt8 {
    case null = 0
    case `false` = 1
    case `true` = 2
    case signed = 3
    case unsigned = 4
    case float32 = 5
    case float64 = 6
    case string = 7
    case bytes = 8
    case keyed = 9
    case unkeyed = 10

    /// The tag whose byte is `byte`, nil for an unknown one. Inlined into the readers, where
    /// the synthesized `init(rawValue:)` stayed a call for every value read. A tag without
    /// a payload is stored as its case's index, and the cases are declared in the order of
    /// their bytes, from 0 (a test checks every byte against `init(rawValue:)`).
    @inline(__always)
    init?(byte: UInt8) {
        guard byte <= WireTag.unkeyed.rawValue else { return nil }
        self = unsafeBitCast(byte, to: WireTag.self)
    }

    /// What the tag is, in words, for errors.
    var name: String {
        switch self {
        case .null: "nil"
        case .false, .true: "a Bool"
        case .signed: "a signed integer"
        case .unsigned: "an unsigned integer"
        case .float32: "a Float"
        case .float64: "a Double"
        case .string: "a String"
        case .bytes: "bytes"
        case .keyed: "a keyed container"
        case .unkeyed: "an unkeyed container"
        }
    }
}
