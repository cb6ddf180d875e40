/// The types the fuzzer decodes its inputs as: every container kind and scalar, enums with
/// payloads and raw values, optionals, a class hierarchy's super key, and a recursive type.
/// No floating point in those compared after a round trip (NaN is not equal to itself).
struct Record: Codable, Equatable {
    var name: String
    var id: Int64
    var small: UInt8
    var flags: [Bool]
    var optional: Int16?
    var nested: [String: [Int]]
    var payload: [UInt8]
    var kind: Kind
    var choice: Choice
}

enum Kind: String, Codable, Equatable {
    case first, second
}

enum Choice: Codable, Equatable {
    case none
    case one(Int32)
    case two(label: String, values: [UInt64])
}

indirect enum Tree: Codable, Equatable {
    case leaf(Int)
    case branch(Tree, Tree)
}

struct Floats: Codable {
    var float: Float
    var double: Double
    var values: [Double]
}
