import Foundation
import ProcTestSupport

/// The one JSON object a procctl command printed with `--json`, read with Foundation
/// (which procctl itself does not link), so that the tests check procctl's hand-written
/// JSON against an independent parser.
enum JSONReport {
    /// Parses `text` as one JSON object.
    static func object(_ text: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let object = parsed as? [String: Any] else { throw HarnessError("not a JSON object: \(text)") }
        return object
    }

    /// A JSON number as a Double, whether it was written as an integer or not.
    static func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }
}
