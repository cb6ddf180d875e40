/// Decodes values that `BinaryEncoder` encoded, checking every byte: the bytes may come
/// from another process and are untrusted.
///
/// No input makes it trap or allocate more than the input's own size: lengths and counts
/// are checked against the bytes that are there, strings must be valid UTF-8, numbers must
/// fit the type asked for, nesting is bounded by `maximumDepth`, and bytes left over after
/// the value are an error. Every failure is a `ProcessError` with code `.undecodableMessage`.
public struct BinaryDecoder: Sendable {
    /// The depth both coders allow by default: deep enough for any reasonable message,
    /// shallow enough for the 512 KiB stack of a secondary thread.
    public static let defaultMaximumDepth = 256

    /// How deeply values may nest; deeper input is an error instead of a stack overflow.
    public var maximumDepth: Int

    /// A decoder that allows `maximumDepth` levels of nesting.
    public init(maximumDepth: Int = BinaryDecoder.defaultMaximumDepth) {
        self.maximumDepth = maximumDepth
    }

    /// Decodes a `T` from all of `bytes`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(ProcessError) -> T {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ProcessError) -> T in try decode(type, from: UnsafeRawBufferPointer(buffer)) }
    }

    /// Decodes a `T` from all of `buffer`, read in place (a `Connection` decodes a message
    /// from its read-ahead buffer). The `Decoder` that `T.init(from:)` gets reads `buffer`
    /// and is valid during that call only: a `T` that keeps it (or one of its containers)
    /// is refused with `.undecodableMessage`, as the bytes it would read are gone.
    func decode<T: Decodable>(_ type: T.Type, from buffer: UnsafeRawBufferPointer) throws(ProcessError) -> T {
        do {
            let input = WireInput(borrowing: buffer)
            let span = try input.span(at: 0, end: input.count)
            guard span.upperBound == input.count else {
                throw CodingFailure.corrupt("\(input.count - span.upperBound) bytes left over after the value")
            }
            var root = DecoderImplementation(input: input, span: span, parent: nil, key: nil, depth: 1, maximumDepth: maximumDepth)
            let value = try root.decodeRoot(T.self)
            // Every decoder and container below the root holds it: one kept means the root is shared.
            guard isKnownUniquelyReferenced(&root) else {
                throw CodingFailure.corrupt("\(T.self).init(from:) kept its Decoder, which is valid during the call only")
            }
            return value
        } catch {
            throw ProcessError(.undecodableMessage, operation: "decode \(T.self): \(CodingFailure.describe(error))")
        }
    }
}
