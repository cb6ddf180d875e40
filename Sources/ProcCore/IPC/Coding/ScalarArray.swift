/// Arrays of the standard library's scalar types (`[Int32]`, `[Double]`, `[String]`...),
/// which the coders write and read in one loop when they meet one through a generic
/// `encode(_:)` or `decode(_:)`, in the same unkeyed container the standard library's
/// `Array` conformance would make. Through that conformance, each element costs a generic
/// call, a dynamic cast and a generic metadata lookup: most of a small message's time.
///
/// A type is recognised by comparing its identity with ones looked up once (`Known`): a
/// generic type's metadata, such as `[UInt8]`'s, is a runtime cache lookup at each use.
enum ScalarArray {
    /// The identities of the array types handled here, looked up once and read together
    /// (each static constant read is a check that it was initialised).
    struct Known {
        let bytes = ObjectIdentifier([UInt8].self)
        let int = ObjectIdentifier([Int].self)
        let int64 = ObjectIdentifier([Int64].self)
        let int32 = ObjectIdentifier([Int32].self)
        let int16 = ObjectIdentifier([Int16].self)
        let int8 = ObjectIdentifier([Int8].self)
        let uint = ObjectIdentifier([UInt].self)
        let uint64 = ObjectIdentifier([UInt64].self)
        let uint32 = ObjectIdentifier([UInt32].self)
        let uint16 = ObjectIdentifier([UInt16].self)
        let double = ObjectIdentifier([Double].self)
        let float = ObjectIdentifier([Float].self)
        let string = ObjectIdentifier([String].self)
        let bool = ObjectIdentifier([Bool].self)
    }

    /// The identities, once.
    static let known = Known()

    /// `value` as the encoder's tree holds it (in its wire form), when `T` is an array of scalars.
    static func encoded<T>(_ value: T) -> EncodedValue? {
        var bytes: [UInt8] = []
        return append(value, to: &bytes) ? .wire(bytes) : nil
    }

    /// When `T` is an array of scalars: appends its wire form to `bytes` and returns true.
    /// False, with nothing written, for any other type.
    static func append<T>(_ value: T, to bytes: inout [UInt8]) -> Bool {
        let known = Self.known
        switch ObjectIdentifier(T.self) {
        case known.int: appendElements(unsafeBitCast(value, to: [Int].self), to: &bytes) { $0.appendSigned(Int64($1)) }
        case known.int64: appendElements(unsafeBitCast(value, to: [Int64].self), to: &bytes) { $0.appendSigned($1) }
        case known.int32: appendElements(unsafeBitCast(value, to: [Int32].self), to: &bytes) { $0.appendSigned(Int64($1)) }
        case known.int16: appendElements(unsafeBitCast(value, to: [Int16].self), to: &bytes) { $0.appendSigned(Int64($1)) }
        case known.int8: appendElements(unsafeBitCast(value, to: [Int8].self), to: &bytes) { $0.appendSigned(Int64($1)) }
        case known.uint: appendElements(unsafeBitCast(value, to: [UInt].self), to: &bytes) { $0.appendUnsigned(UInt64($1)) }
        case known.uint64: appendElements(unsafeBitCast(value, to: [UInt64].self), to: &bytes) { $0.appendUnsigned($1) }
        case known.uint32: appendElements(unsafeBitCast(value, to: [UInt32].self), to: &bytes) { $0.appendUnsigned(UInt64($1)) }
        case known.uint16: appendElements(unsafeBitCast(value, to: [UInt16].self), to: &bytes) { $0.appendUnsigned(UInt64($1)) }
        case known.double: appendElements(unsafeBitCast(value, to: [Double].self), to: &bytes) { $0.appendDouble($1) }
        case known.float: appendElements(unsafeBitCast(value, to: [Float].self), to: &bytes) { $0.appendFloat($1) }
        case known.string: appendElements(unsafeBitCast(value, to: [String].self), to: &bytes) { $0.appendString($1) }
        case known.bool: appendElements(unsafeBitCast(value, to: [Bool].self), to: &bytes) { $0.appendBool($1) }
        default: return false
        }
        return true
    }

    /// Whether `type` (by identity) is an array of scalars that `read` reads. Asked before
    /// `read`, so that a generic caller never makes a `T?` (a runtime metadata lookup each time).
    static func isScalarArray(_ type: ObjectIdentifier) -> Bool {
        let known = Self.known
        switch type {
        case known.int, known.int64, known.int32, known.int16, known.int8, known.uint, known.uint64,
             known.uint32, known.uint16, known.double, known.float, known.string, known.bool: return true
        default: return false
        }
    }

    /// A `T` read from the unkeyed container at `span`; `T` is an array of scalars (`isScalarArray`).
    static func read<T>(_ type: T.Type, from input: WireInput, _ span: Range<Int>) throws -> T {
        let known = Self.known
        return switch ObjectIdentifier(T.self) {
        case known.int: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: Int.self) } as [Int], to: T.self)
        case known.int64: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: Int64.self) } as [Int64], to: T.self)
        case known.int32: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: Int32.self) } as [Int32], to: T.self)
        case known.int16: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: Int16.self) } as [Int16], to: T.self)
        case known.int8: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: Int8.self) } as [Int8], to: T.self)
        case known.uint: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: UInt.self) } as [UInt], to: T.self)
        case known.uint64: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: UInt64.self) } as [UInt64], to: T.self)
        case known.uint32: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: UInt32.self) } as [UInt32], to: T.self)
        case known.uint16: unsafeBitCast(try elements(input, span) { try input.integer(at: &$0, end: span.upperBound, as: UInt16.self) } as [UInt16], to: T.self)
        case known.double: unsafeBitCast(try elements(input, span) { try input.double(at: &$0, end: span.upperBound) } as [Double], to: T.self)
        case known.float: unsafeBitCast(try elements(input, span) { try input.float(at: &$0, end: span.upperBound) } as [Float], to: T.self)
        case known.string: unsafeBitCast(try elements(input, span) { try input.string(at: &$0, end: span.upperBound) } as [String], to: T.self)
        case known.bool: unsafeBitCast(try elements(input, span) { try input.bool(at: &$0, end: span.upperBound) } as [Bool], to: T.self)
        default: throw CodingFailure.mismatch("an array of scalars", found: "\(T.self)")
        }
    }

    /// Appends `array` as an unkeyed container, each element by `write`. The callers
    /// reinterpret the value as its concrete array type (checked by identity) before the
    /// call, so that this is specialized for each element type, `write` inlined: generic
    /// over the value's type as well, it would run unspecialized, its array operations
    /// asking the runtime for metadata.
    private static func appendElements<Element>(_ array: [Element], to bytes: inout [UInt8], _ write: (inout [UInt8], Element) -> Void) {
        bytes.appendUnkeyed(count: array.count) { body in
            for element in array { write(&body, element) }
        }
    }

    /// The `[Element]` of the unkeyed container at `span`, each element read by `read`,
    /// which moves the position past it: one pass over each element's tag and payload.
    /// Generic over the element type alone, and called with a concrete one, so that it is
    /// specialized (see `appendElements`): the array is made without a metadata lookup.
    private static func elements<Element>(_ input: WireInput, _ span: Range<Int>, _ read: (inout Int) throws -> Element) throws -> [Element] {
        var (position, count) = try input.containerBody(span, .unkeyed)
        // Filled in place: no capacity check per element, and no call into the standard
        // library's unspecialized growth code (a metadata lookup) that reserveCapacity makes.
        let array = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            while initialized < count {
                (buffer.baseAddress! + initialized).initialize(to: try read(&position))
                initialized += 1
            }
        }
        if position != span.upperBound { throw CodingFailure.corrupt("\(span.upperBound - position) bytes left over in an unkeyed container") }
        return array
    }
}
