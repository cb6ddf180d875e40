/// Encodes `Encodable` values in ProcCore's compact binary format, without Foundation:
/// what `Connection.send` and `ProcessQueue.put` write.
///
/// ```swift
/// let bytes = try BinaryEncoder().encode(["a": 1, "b": 2])
/// let back = try BinaryDecoder().decode([String: Int].self, from: bytes)
/// ```
///
/// Self-describing (each value carries a one-byte tag, see the format notes in `WireTag`),
/// so that a decoder checks every value against the type it is asked for. A `[UInt8]` is
/// written as its length and the bytes themselves, not element by element.
public struct BinaryEncoder: Sendable {
    /// How deeply values may nest: a deeper value (or a cycle of class references) fails
    /// to encode instead of overflowing the stack.
    public var maximumDepth: Int

    /// An encoder; `maximumDepth` as in `BinaryDecoder`.
    public init(maximumDepth: Int = BinaryDecoder.defaultMaximumDepth) {
        self.maximumDepth = maximumDepth
    }

    /// The encoded bytes of `value`. Throws `.unencodableValue` when the value's own
    /// `encode(to:)` throws, or when it nests deeper than `maximumDepth`.
    public func encode<T: Encodable>(_ value: T) throws(ProcessError) -> [UInt8] {
        let encoder = StreamingEncoder(maximumDepth: maximumDepth)
        return try encode(value, into: encoder) ?? encoder.bytes
    }

    /// Encodes `value` with `encoder`, which then holds its bytes (nil returned); or, when
    /// the value's containers cannot be streamed, through the tree, into the bytes returned.
    func encode<T: Encodable>(_ value: T, into encoder: StreamingEncoder) throws(ProcessError) -> [UInt8]? {
        do {
            do {
                try encoder.encodeAnew(value)
                return nil
            } catch is StreamingEncoder.OutOfOrder {
                // Containers used in an order that cannot be streamed: through the tree.
                let tree = try EncoderImplementation.encodeValue(value, parent: nil, key: nil, depth: 0, maximumDepth: maximumDepth)
                return WireWriter.encode(tree)
            }
        } catch {
            throw ProcessError(.unencodableValue, operation: "encode \(T.self): \(CodingFailure.describe(error))")
        }
    }
}
