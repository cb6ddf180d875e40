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

    /// Whether `type` (by identity) is one of the scalar types `read` reads. Asked before
    /// `read`, so that a generic caller never makes a `T?`: in unspecialized code, each
    /// `Optional<T>` is a runtime metadata lookup.
    static func isScalar(_ type: ObjectIdentifier) -> Bool {
        switch type {
        case ObjectIdentifier(Int.self), ObjectIdentifier(Int64.self), ObjectIdentifier(Int32.self),
             ObjectIdentifier(Int16.self), ObjectIdentifier(Int8.self), ObjectIdentifier(UInt.self),
             ObjectIdentifier(UInt64.self), ObjectIdentifier(UInt32.self), ObjectIdentifier(UInt16.self),
             ObjectIdentifier(UInt8.self), ObjectIdentifier(String.self), ObjectIdentifier(Bool.self),
             ObjectIdentifier(Double.self), ObjectIdentifier(Float.self): true
        default: false
        }
    }

    /// A `T` read from the value at `span`; `T` is a scalar type (`isScalar`). The value is
    /// read as that type and reinterpreted, which is no conversion since the types are one.
    static func read<T>(_ type: T.Type, from input: WireInput, _ span: Range<Int>) throws -> T {
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(Int.self): unsafeBitCast(try input.integer(span, as: Int.self), to: T.self)
        case ObjectIdentifier(Int64.self): unsafeBitCast(try input.integer(span, as: Int64.self), to: T.self)
        case ObjectIdentifier(Int32.self): unsafeBitCast(try input.integer(span, as: Int32.self), to: T.self)
        case ObjectIdentifier(Int16.self): unsafeBitCast(try input.integer(span, as: Int16.self), to: T.self)
        case ObjectIdentifier(Int8.self): unsafeBitCast(try input.integer(span, as: Int8.self), to: T.self)
        case ObjectIdentifier(UInt.self): unsafeBitCast(try input.integer(span, as: UInt.self), to: T.self)
        case ObjectIdentifier(UInt64.self): unsafeBitCast(try input.integer(span, as: UInt64.self), to: T.self)
        case ObjectIdentifier(UInt32.self): unsafeBitCast(try input.integer(span, as: UInt32.self), to: T.self)
        case ObjectIdentifier(UInt16.self): unsafeBitCast(try input.integer(span, as: UInt16.self), to: T.self)
        case ObjectIdentifier(UInt8.self): unsafeBitCast(try input.integer(span, as: UInt8.self), to: T.self)
        case ObjectIdentifier(String.self): unsafeBitCast(try input.string(span), to: T.self)
        case ObjectIdentifier(Bool.self): unsafeBitCast(try input.bool(span), to: T.self)
        case ObjectIdentifier(Double.self): unsafeBitCast(try input.double(span), to: T.self)
        case ObjectIdentifier(Float.self): unsafeBitCast(try input.float(span), to: T.self)
        default: throw CodingFailure.mismatch("a scalar type", found: "\(T.self)")
        }
    }
}
