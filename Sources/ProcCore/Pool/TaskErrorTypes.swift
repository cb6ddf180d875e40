/// The error types a pool's tasks may throw that cross back to the parent as themselves
/// (Python re-raises a task's exception in the parent; Swift can when the type is
/// `Codable`): the worker encodes an error of the first type that matches, the parent
/// decodes it by that type's position in the list.
struct TaskErrorTypes: Sendable {
    private let codecs: [Codec]

    private struct Codec: Sendable {
        let encode: @Sendable (any Error) -> [UInt8]?
        let decode: @Sendable ([UInt8]) -> (any Error)?
    }

    init(_ types: [any (Error & Codable).Type]) {
        codecs = types.map { Self.codec(for: $0) }
    }

    private static func codec<E: Error & Codable>(for type: E.Type) -> Codec {
        Codec(
            encode: { error in (error as? E).flatMap { try? BinaryEncoder().encode($0) } },
            decode: { bytes in try? BinaryDecoder().decode(E.self, from: bytes) })
    }

    /// In the worker: the position of `error`'s type and its bytes, if it is one of them.
    func encode(_ error: any Error) -> (type: Int, bytes: [UInt8])? {
        for (index, codec) in codecs.enumerated() {
            if let bytes = codec.encode(error) { return (index, bytes) }
        }
        return nil
    }

    /// In the parent: the error a worker encoded, nil when the bytes do not decode.
    func decode(type: Int, bytes: [UInt8]) -> (any Error)? {
        guard codecs.indices.contains(type) else { return nil }
        return codecs[type].decode(bytes)
    }
}
