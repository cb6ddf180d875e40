/// Codable shapes the IPC tests send: nested structs, enums with payloads, optionals, a
/// class hierarchy and a recursive type.
struct Point: Codable, Equatable {
    var x: Double
    var y: Float
}

enum Shape: Codable, Equatable {
    case circle(center: Point, radius: Double)
    case polygon([Point])
    case label(String, size: Int8)
    case empty
}

enum Colour: String, Codable {
    case red, green
}

struct Drawing: Codable, Equatable {
    var title: String
    var shapes: [Shape]
    var tags: [String: Int]
    var owner: String?
    var rating: UInt8?
    var layers: [[Int64]]
    var flags: Set<Bool>
    var colour: Colour
    var thumbnail: [UInt8]
    var extremes: [Int]
    var unsigned: [UInt64]
}

/// A recursive type, for nesting depth.
indirect enum Nest: Codable, Equatable {
    case leaf
    case node(Nest)

    init(depth: Int) {
        var nest = Nest.leaf
        for _ in 0..<depth { nest = .node(nest) }
        self = nest
    }
}

class Animal: Codable {
    var name: String
    init(name: String) { self.name = name }
}

final class Dog: Animal {
    var goodBoy: Bool
    init(name: String, goodBoy: Bool) {
        self.goodBoy = goodBoy
        super.init(name: name)
    }
    enum CodingKeys: String, CodingKey { case goodBoy }
    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        goodBoy = try container.decode(Bool.self, forKey: .goodBoy)
        try super.init(from: container.superDecoder())
    }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(goodBoy, forKey: .goodBoy)
        try super.encode(to: container.superEncoder())
    }
}

/// A value whose encoding always fails.
struct Unencodable: Codable {
    struct Refused: Error {}
    init() {}
    init(from decoder: any Decoder) throws { throw Refused() }
    func encode(to encoder: any Encoder) throws { throw Refused() }
}

/// Keeps the Decoder it is decoded with, which reads bytes that are gone after the call.
struct DecoderKeeper: Decodable {
    let kept: any Decoder
    init(from decoder: any Decoder) throws { kept = decoder }
}

/// Keeps the Encoder it is encoded with (as the number 1).
final class EncoderKeeper: Encodable {
    var kept: (any Encoder)?
    func encode(to encoder: any Encoder) throws {
        kept = encoder
        var container = encoder.singleValueContainer()
        try container.encode(1)
    }
}

/// Two strings, and between them a write through an Encoder an `EncoderKeeper` kept from
/// an earlier value: the write must not reach this value's bytes.
struct WritesThroughKeptEncoder: Encodable {
    let keeper: EncoderKeeper
    func encode(to encoder: any Encoder) throws {
        var own = encoder.unkeyedContainer()
        try own.encode("mine")
        var other = keeper.kept!.unkeyedContainer()
        try? other.encode("intruder")
        try own.encode("mine too")
    }
}

/// A string with a character from each Unicode plane in use, and the edges of UTF-8's lengths.
let everyPlane = "a\u{7f}\u{80}é\u{7ff}\u{800}€\u{ffff}\u{10000}😀\u{1f600}\u{20000}𠀀\u{30000}\u{e0001}\u{f0000}\u{10ffff}\0"

let sampleDrawing = Drawing(
    title: everyPlane,
    shapes: [.circle(center: Point(x: -1.5, y: .infinity), radius: 2), .polygon([Point(x: 0, y: 0), Point(x: .pi, y: -0.0)]),
             .label("hi", size: -128), .empty, .polygon([])],
    tags: ["one": 1, "": 0, "minus": -1],
    owner: nil,
    rating: 255,
    layers: [[], [Int64.min, Int64.max], [0]],
    flags: [true, false],
    colour: .green,
    thumbnail: [0, 1, 255],
    extremes: [Int.min, -1, 0, 1, Int.max],
    unsigned: [0, UInt64.max]
)
