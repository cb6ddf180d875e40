/// A value as `BinaryEncoder` holds it until the whole tree is known: Codable lets a type
/// fill its containers in any order, so bytes are written only once `encode(to:)` returns.
enum EncodedValue {
    case null
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case float(Float)
    case double(Double)
    case string(String)
    /// A `[UInt8]`, written as one length and the bytes, not element by element.
    case bytes([UInt8])
    /// A value already in its wire form: an array of scalars, written in one loop.
    case wire([UInt8])
    case container(EncodedContainer)
}
