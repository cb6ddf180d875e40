/// The standard library's scalar types, which the coders write and read directly when they
/// meet one through a generic `encode(_:)` or `decode(_:)` (the elements of a `[Int32]`, an
/// `Optional<String>`'s payload): without this, each one would cost a nested encoder or
/// decoder object and a container, for a value of a few bytes.
///
/// The type is recognised by identity, not by a protocol conformance: a conformance check
/// (`as? SomeProtocol`) is a runtime cache lookup on every value, miss or hit.
enum WirePrimitive {
    /// `value` as the encoder's tree holds it, when `T` is a scalar type.
    static func encoded<T>(_ value: T) -> EncodedValue? {
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(Int.self): .signed(Int64(unsafeBitCast(value, to: Int.self)))
        case ObjectIdentifier(Int64.self): .signed(unsafeBitCast(value, to: Int64.self))
        case ObjectIdentifier(Int32.self): .signed(Int64(unsafeBitCast(value, to: Int32.self)))
        case ObjectIdentifier(Int16.self): .signed(Int64(unsafeBitCast(value, to: Int16.self)))
        case ObjectIdentifier(Int8.self): .signed(Int64(unsafeBitCast(value, to: Int8.self)))
        case ObjectIdentifier(UInt.self): .unsigned(UInt64(unsafeBitCast(value, to: UInt.self)))
        case ObjectIdentifier(UInt64.self): .unsigned(unsafeBitCast(value, to: UInt64.self))
        case ObjectIdentifier(UInt32.self): .unsigned(UInt64(unsafeBitCast(value, to: UInt32.self)))
        case ObjectIdentifier(UInt16.self): .unsigned(UInt64(unsafeBitCast(value, to: UInt16.self)))
        case ObjectIdentifier(UInt8.self): .unsigned(UInt64(unsafeBitCast(value, to: UInt8.self)))
        case ObjectIdentifier(String.self): .string(unsafeBitCast(value, to: String.self))
        case ObjectIdentifier(Bool.self): .bool(unsafeBitCast(value, to: Bool.self))
        case ObjectIdentifier(Double.self): .double(unsafeBitCast(value, to: Double.self))
        case ObjectIdentifier(Float.self): .float(unsafeBitCast(value, to: Float.self))
        default: nil
        }
    }

    /// A `T` read from the value at `span`, when `T` is a scalar type; nil for any other type.
    static func read<T>(_ type: T.Type, from input: WireInput, _ span: Range<Int>) throws -> T? {
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(Int.self): try input.integer(span, as: Int.self) as? T
        case ObjectIdentifier(Int64.self): try input.integer(span, as: Int64.self) as? T
        case ObjectIdentifier(Int32.self): try input.integer(span, as: Int32.self) as? T
        case ObjectIdentifier(Int16.self): try input.integer(span, as: Int16.self) as? T
        case ObjectIdentifier(Int8.self): try input.integer(span, as: Int8.self) as? T
        case ObjectIdentifier(UInt.self): try input.integer(span, as: UInt.self) as? T
        case ObjectIdentifier(UInt64.self): try input.integer(span, as: UInt64.self) as? T
        case ObjectIdentifier(UInt32.self): try input.integer(span, as: UInt32.self) as? T
        case ObjectIdentifier(UInt16.self): try input.integer(span, as: UInt16.self) as? T
        case ObjectIdentifier(UInt8.self): try input.integer(span, as: UInt8.self) as? T
        case ObjectIdentifier(String.self): try input.string(span) as? T
        case ObjectIdentifier(Bool.self): try input.bool(span) as? T
        case ObjectIdentifier(Double.self): try input.double(span) as? T
        case ObjectIdentifier(Float.self): try input.float(span) as? T
        default: nil
        }
    }
}
