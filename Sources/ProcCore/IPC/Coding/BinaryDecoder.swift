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
        do {
            let input = WireInput(bytes: bytes)
            let span = try input.span(at: 0, end: bytes.count)
            guard span.upperBound == bytes.count else {
                throw CodingFailure.corrupt("\(bytes.count - span.upperBound) bytes left over after the value")
            }
            let root = DecoderImplementation(input: input, span: span, parent: nil, key: nil, depth: 1, maximumDepth: maximumDepth)
            return try root.decodeRoot(T.self)
        } catch {
            throw ProcessError(.undecodableMessage, operation: "decode \(T.self): \(CodingFailure.describe(error))")
        }
    }
}
