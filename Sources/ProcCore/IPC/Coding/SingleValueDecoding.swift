/// `BinaryDecoder`'s single-value container: its decoder's whole span.
struct SingleValueDecoding: SingleValueDecodingContainer {
    let decoder: DecoderImplementation
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var input: WireInput { decoder.input }
    private var span: Range<Int> { decoder.span }

    private func read<R>(_ body: (Range<Int>) throws -> R) throws -> R {
        try decoder.reading(nil) { try body(span) }
    }

    func decodeNil() -> Bool { (try? input.isNil(span)) ?? false }
    func decode(_ type: Bool.Type) throws -> Bool { try read { try input.bool($0) } }
    func decode(_ type: String.Type) throws -> String { try read { try input.string($0) } }
    func decode(_ type: Double.Type) throws -> Double { try read { try input.double($0) } }
    func decode(_ type: Float.Type) throws -> Float { try read { try input.float($0) } }
    func decode(_ type: Int.Type) throws -> Int { try read { try input.integer($0, as: type) } }
    func decode(_ type: Int8.Type) throws -> Int8 { try read { try input.integer($0, as: type) } }
    func decode(_ type: Int16.Type) throws -> Int16 { try read { try input.integer($0, as: type) } }
    func decode(_ type: Int32.Type) throws -> Int32 { try read { try input.integer($0, as: type) } }
    func decode(_ type: Int64.Type) throws -> Int64 { try read { try input.integer($0, as: type) } }
    func decode(_ type: UInt.Type) throws -> UInt { try read { try input.integer($0, as: type) } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try read { try input.integer($0, as: type) } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try read { try input.integer($0, as: type) } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try read { try input.integer($0, as: type) } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try read { try input.integer($0, as: type) } }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decodeNested(type, span: span, key: nil)
    }
}
