import ProcCore

/// The fuzz target: decodes the input as each fuzzed type. A decode may fail (with
/// a ProcessError); it must never trap, and what decodes must survive a round trip:
/// encoding it and decoding that gives the same value.
/// Exported under libFuzzer's name too: its runtime refers to that symbol.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkRoundTrip(Record.self, bytes)
    checkRoundTrip(Tree.self, bytes)
    checkRoundTrip([String: Choice].self, bytes)
    checkRoundTrip([Int?].self, bytes)
    checkRoundTrip(String.self, bytes)
    checkRoundTrip([UInt8].self, bytes)
    _ = try? BinaryDecoder().decode(Floats.self, from: bytes)
    return 0
}

func checkRoundTrip<T: Codable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) {
    guard let value = try? BinaryDecoder().decode(T.self, from: bytes) else { return }
    do {
        let again = try BinaryDecoder().decode(T.self, from: try BinaryEncoder().encode(value))
        precondition(again == value, "\(T.self) changed in a round trip")
    } catch {
        preconditionFailure("\(T.self) decoded but does not round-trip: \(error)")
    }
}
