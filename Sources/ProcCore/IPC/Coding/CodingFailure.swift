/// What went wrong inside `BinaryEncoder` or `BinaryDecoder`, before it becomes the
/// `ProcessError` their callers see.
struct CodingFailure: Error, CustomStringConvertible {
    let description: String

    /// Bytes that are not the wire format: cut short, an unknown tag, a length past the end.
    static func corrupt(_ what: String) -> CodingFailure { CodingFailure(description: what) }

    /// Well-formed bytes of another type than the one asked for.
    static func mismatch(_ expected: String, found: String) -> CodingFailure {
        CodingFailure(description: "expected \(expected), found \(found)")
    }

    /// One line for any error thrown while coding, from the coder or from a type's own
    /// Codable code, with the coding path when there is one.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "" : keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined() + ": "
        }
        switch error {
        case let error as DecodingError:
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context),
                 .keyNotFound(_, let context), .dataCorrupted(let context):
                return path(context.codingPath) + context.debugDescription
            @unknown default: return "\(error)"
            }
        case let error as EncodingError:
            switch error {
            case .invalidValue(_, let context): return path(context.codingPath) + context.debugDescription
            @unknown default: return "\(error)"
            }
        default:
            return "\(error)"
        }
    }
}
