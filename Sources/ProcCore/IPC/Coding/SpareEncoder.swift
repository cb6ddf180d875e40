/// The encoder a `Connection` keeps between the messages it sends, so that a typed message
/// costs no allocation of the encoder and its buffers (four for a small struct, which were
/// a sizable part of its encoding, as are the cache misses of memory freed and taken again).
///
/// The encoder is lent for one message and taken back only when nothing else holds it: a
/// send from inside a value's own `encode(to:)` gets an encoder of its own, and a value
/// that kept its `Encoder` does not write into a later message. An encoder whose buffer
/// grew past `keptCapacity` is dropped, so that one big message does not pin its memory.
final class SpareEncoder {
    @exclusivity(unchecked) private var spare: StreamingEncoder?

    /// The largest buffer kept between messages.
    static let keptCapacity = 64 << 10

    init() {}

    /// Encodes `value` as `BinaryEncoder` does and hands its bytes to `body`, during the
    /// call only. Throws `.unencodableValue` (and calls nothing), or what `body` throws.
    func withEncoded<T: Encodable>(_ value: T, _ body: (UnsafeRawBufferPointer) throws(ProcessError) -> Void) throws(ProcessError) {
        var encoder = spare ?? StreamingEncoder(maximumDepth: BinaryDecoder.defaultMaximumDepth)
        spare = nil
        if let treeBytes = try BinaryEncoder().encode(value, into: encoder) {
            try treeBytes.withUnsafeBufferPointer { (buffer) throws(ProcessError) in try body(UnsafeRawBufferPointer(buffer)) }
        } else {
            try encoder.bytes.withUnsafeBufferPointer { (buffer) throws(ProcessError) in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if isKnownUniquelyReferenced(&encoder) && encoder.bytes.capacity <= Self.keptCapacity { spare = encoder }
    }
}
