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

    /// `value` as the encoder's tree holds it, when `T` is an array of scalars.
    static func encoded<T>(_ value: T) -> EncodedValue? {
        var values: [EncodedValue] = []
        let handled = forEachElement(of: value, start: { values.reserveCapacity($0) }, { values.append($0) })
        return handled ? .container(EncodedContainer(.unkeyed, values: values)) : nil
    }

    /// When `T` is an array of scalars: calls `start` with its count, then `body` with each
    /// element as the encoder's tree holds it, and returns true. False for any other type.
    static func forEachElement<T>(of value: T, start: (Int) -> Void, _ body: (EncodedValue) -> Void) -> Bool {
        let known = Self.known
        switch ObjectIdentifier(T.self) {
        case known.int: each(value, Int.self, start, body) { .signed(Int64($0)) }
        case known.int64: each(value, Int64.self, start, body) { .signed($0) }
        case known.int32: each(value, Int32.self, start, body) { .signed(Int64($0)) }
        case known.int16: each(value, Int16.self, start, body) { .signed(Int64($0)) }
        case known.int8: each(value, Int8.self, start, body) { .signed(Int64($0)) }
        case known.uint: each(value, UInt.self, start, body) { .unsigned(UInt64($0)) }
        case known.uint64: each(value, UInt64.self, start, body) { .unsigned($0) }
        case known.uint32: each(value, UInt32.self, start, body) { .unsigned(UInt64($0)) }
        case known.uint16: each(value, UInt16.self, start, body) { .unsigned(UInt64($0)) }
        case known.double: each(value, Double.self, start, body) { .double($0) }
        case known.float: each(value, Float.self, start, body) { .float($0) }
        case known.string: each(value, String.self, start, body) { .string($0) }
        case known.bool: each(value, Bool.self, start, body) { .bool($0) }
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
        case known.int: try elements(T.self, input, span) { try input.integer($0, as: Int.self) }
        case known.int64: try elements(T.self, input, span) { try input.integer($0, as: Int64.self) }
        case known.int32: try elements(T.self, input, span) { try input.integer($0, as: Int32.self) }
        case known.int16: try elements(T.self, input, span) { try input.integer($0, as: Int16.self) }
        case known.int8: try elements(T.self, input, span) { try input.integer($0, as: Int8.self) }
        case known.uint: try elements(T.self, input, span) { try input.integer($0, as: UInt.self) }
        case known.uint64: try elements(T.self, input, span) { try input.integer($0, as: UInt64.self) }
        case known.uint32: try elements(T.self, input, span) { try input.integer($0, as: UInt32.self) }
        case known.uint16: try elements(T.self, input, span) { try input.integer($0, as: UInt16.self) }
        case known.double: try elements(T.self, input, span) { try input.double($0) }
        case known.float: try elements(T.self, input, span) { try input.float($0) }
        case known.string: try elements(T.self, input, span) { try input.string($0) }
        case known.bool: try elements(T.self, input, span) { try input.bool($0) }
        default: throw CodingFailure.mismatch("an array of scalars", found: "\(T.self)")
        }
    }

    /// Each element of `value`, which is an `[Element]`, through `encode` to `body`.
    private static func each<T, Element>(
        _ value: T, _: Element.Type, _ start: (Int) -> Void, _ body: (EncodedValue) -> Void,
        _ encode: (Element) -> EncodedValue
    ) {
        // T is [Element] (checked by identity): a reinterpretation, not a conversion.
        let array = unsafeBitCast(value, to: [Element].self)
        start(array.count)
        for element in array { body(encode(element)) }
    }

    /// The `[Element]` (which `T` is) of the unkeyed container at `span`, each element
    /// read by `read` from its own span.
    private static func elements<T, Element>(_: T.Type, _ input: WireInput, _ span: Range<Int>, _ read: (Range<Int>) throws -> Element) throws -> T {
        var (position, count) = try input.containerBody(span, .unkeyed)
        // Filled in place: no capacity check per element, and no call into the standard
        // library's unspecialized growth code (a metadata lookup) that reserveCapacity makes.
        let array = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            while initialized < count {
                let element = try input.span(at: position, end: span.upperBound)
                (buffer.baseAddress! + initialized).initialize(to: try read(element))
                initialized += 1
                position = element.upperBound
            }
        }
        if position != span.upperBound { throw CodingFailure.corrupt("\(span.upperBound - position) bytes left over in an unkeyed container") }
        return unsafeBitCast(array, to: T.self)
    }
}
