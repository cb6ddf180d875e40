/// The standard library's scalar types, which the coders write and read directly when they
/// meet one through a generic `encode(_:)` or `decode(_:)` (the elements of a `[Int32]`, an
/// `Optional<String>`'s payload): without this, each one would cost a nested encoder or
/// decoder object and a container, for a value of a few bytes.
protocol WirePrimitive {
    /// The value as the encoder's tree holds it.
    var encodedValue: EncodedValue { get }
    /// Reads a value of this type from the value at `span`.
    static func read(from input: WireInput, _ span: Range<Int>) throws -> Self
}

extension Bool: WirePrimitive {
    var encodedValue: EncodedValue { .bool(self) }
    static func read(from input: WireInput, _ span: Range<Int>) throws -> Bool { try input.bool(span) }
}

extension String: WirePrimitive {
    var encodedValue: EncodedValue { .string(self) }
    static func read(from input: WireInput, _ span: Range<Int>) throws -> String { try input.string(span) }
}

extension Double: WirePrimitive {
    var encodedValue: EncodedValue { .double(self) }
    static func read(from input: WireInput, _ span: Range<Int>) throws -> Double { try input.double(span) }
}

extension Float: WirePrimitive {
    var encodedValue: EncodedValue { .float(self) }
    static func read(from input: WireInput, _ span: Range<Int>) throws -> Float { try input.float(span) }
}

/// The signed integers: zigzag varints.
protocol SignedWirePrimitive: WirePrimitive, FixedWidthInteger, SignedInteger {}

extension SignedWirePrimitive {
    var encodedValue: EncodedValue { .signed(Int64(self)) }
    static func read(from input: WireInput, _ span: Range<Int>) throws -> Self { try input.integer(span, as: Self.self) }
}

/// The unsigned integers: plain varints.
protocol UnsignedWirePrimitive: WirePrimitive, FixedWidthInteger, UnsignedInteger {}

extension UnsignedWirePrimitive {
    var encodedValue: EncodedValue { .unsigned(UInt64(self)) }
    static func read(from input: WireInput, _ span: Range<Int>) throws -> Self { try input.integer(span, as: Self.self) }
}

extension Int: SignedWirePrimitive {}
extension Int8: SignedWirePrimitive {}
extension Int16: SignedWirePrimitive {}
extension Int32: SignedWirePrimitive {}
extension Int64: SignedWirePrimitive {}
extension UInt: UnsignedWirePrimitive {}
extension UInt8: UnsignedWirePrimitive {}
extension UInt16: UnsignedWirePrimitive {}
extension UInt32: UnsignedWirePrimitive {}
extension UInt64: UnsignedWirePrimitive {}
