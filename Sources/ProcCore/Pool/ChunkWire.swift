/// The bytes of a pool's messages: a chunk of inputs to a worker, a chunk's results back.
/// Inputs and outputs of a `RawBytesTransferable` type go as their bytes in memory, one
/// copy per chunk; any other type goes through `BinaryEncoder` as a `PoolMessage`. Both
/// ends decide the same way, from the pool's types.
///
/// A raw chunk is the first task's index (8 bytes, this machine's order) and the inputs'
/// bytes. A result starts with a byte: `rawResult` and then the first task's index and the
/// outputs' bytes (every task succeeded), or `codedResult` and a `ChunkResult`.
struct ChunkWire<Input: Codable, Output: Codable> {
    let rawInputs = Input.self is any RawBytesTransferable.Type
    let rawOutputs = Output.self is any RawBytesTransferable.Type

    private static var rawResult: UInt8 { 0 }
    private static var codedResult: UInt8 { 1 }
    private static var indexSize: Int { MemoryLayout<Int64>.size }

    /// Appends the framed message of the chunk of `inputs`, tasks `first, first + 1, ...`,
    /// to `frames` (several chunks for one worker then go in one write). Throws
    /// `.unencodableValue`, leaving `frames` as it was.
    func appendChunk(first: Int, inputs: UnsafeBufferPointer<Input>, to frames: inout [UInt8]) throws(ProcessError) {
        if rawInputs {
            Self.appendHeader(length: Self.indexSize + inputs.count * MemoryLayout<Input>.stride, to: &frames)
            Self.appendIndex(first, to: &frames)
            frames.append(contentsOf: UnsafeRawBufferPointer(inputs))
        } else {
            let body = try BinaryEncoder().encode(PoolMessage.Chunk(first: first, inputs: Array(inputs)))
            Self.appendHeader(length: body.count, to: &frames)
            frames.append(contentsOf: body)
        }
    }

    /// The chunk in a message from the parent.
    func decodeChunk(_ bytes: [UInt8]) throws(ProcessError) -> PoolMessage.Chunk<Input> {
        guard rawInputs else { return try BinaryDecoder().decode(PoolMessage.Chunk<Input>.self, from: bytes) }
        let (first, inputs) = try Self.decodeRaw(Input.self, bytes[...])
        return PoolMessage.Chunk(first: first, inputs: inputs)
    }

    /// The message of a chunk's results. Throws `.unencodableValue`.
    func encodeResult(_ result: PoolMessage.ChunkResult<Output>) throws(ProcessError) -> [UInt8] {
        if rawOutputs && result.failures.isEmpty {
            var bytes: [UInt8] = [Self.rawResult]
            bytes.reserveCapacity(1 + Self.indexSize + result.outputs.count * MemoryLayout<Output>.stride)
            Self.appendIndex(result.first, to: &bytes)
            result.outputs.withUnsafeBytes { bytes.append(contentsOf: $0) }
            return bytes
        }
        return [Self.codedResult] + (try BinaryEncoder().encode(result))
    }

    /// The results in a message from a worker.
    func decodeResult(_ bytes: [UInt8]) throws(ProcessError) -> PoolMessage.ChunkResult<Output> {
        switch bytes.first {
        case Self.rawResult? where rawOutputs:
            let (first, outputs) = try Self.decodeRaw(Output.self, bytes[1...])
            return PoolMessage.ChunkResult(first: first, outputs: outputs, failures: [])
        case Self.codedResult?:
            let result = try BinaryDecoder().decode(PoolMessage.ChunkResult<Output>.self, from: Array(bytes[1...]))
            var next = 0
            for failure in result.failures {
                guard failure.offset >= next, failure.offset < result.count else {
                    throw ProcessError(.undecodableMessage, operation: "pool result: failure offsets out of order")
                }
                next = failure.offset + 1
            }
            return result
        default:
            throw ProcessError(.undecodableMessage, operation: "pool result: unknown kind \(bytes.first.map { "\($0)" } ?? "(empty)")")
        }
    }

    private static func appendHeader(length: Int, to frames: inout [UInt8]) {
        var header = FrameHeader.Storage()
        let size = FrameHeader.write(length: length, into: &header)
        withUnsafeBytes(of: &header) { frames.append(contentsOf: $0[0..<size]) }
    }

    private static func appendIndex(_ index: Int, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: Int64(index)) { bytes.append(contentsOf: $0) }
    }

    /// An index and then whole values of `type`, which must be `RawBytesTransferable`.
    private static func decodeRaw<T>(_ type: T.Type, _ bytes: ArraySlice<UInt8>) throws(ProcessError) -> (Int, [T]) {
        let stride = MemoryLayout<T>.stride
        let valueBytes = bytes.count - indexSize
        guard valueBytes >= 0, valueBytes % stride == 0 else {
            throw ProcessError(.undecodableMessage, operation: "pool chunk: \(bytes.count) bytes are not an index and whole \(T.self) values")
        }
        return bytes.withUnsafeBytes { raw in
            let first = Int(raw.loadUnaligned(as: Int64.self))
            let values = [T](unsafeUninitializedCapacity: valueBytes / stride) { buffer, count in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[indexSize...]))
                count = valueBytes / stride
            }
            return (first, values)
        }
    }
}
