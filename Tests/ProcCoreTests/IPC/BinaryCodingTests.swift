import ProcCore
import Testing

import Glibc

extension ForkingTests {
    /// BinaryEncoder and BinaryDecoder: every Codable shape round-trips, and no input makes
    /// the decoder trap: each bad input is a typed `.undecodableMessage`.
    @Suite struct BinaryCodingTests {
        func roundTrip<T: Codable>(_ value: T) throws -> T {
            try BinaryDecoder().decode(T.self, from: try BinaryEncoder().encode(value))
        }

        @Test func nestedStructsEnumsOptionalsAndCollectionsRoundTrip() throws {
            #expect(try roundTrip(sampleDrawing) == sampleDrawing)
            var withOwner = sampleDrawing
            withOwner.owner = "someone"
            withOwner.rating = nil
            #expect(try roundTrip(withOwner) == withOwner)
        }

        @Test func scalarsAtTheTopLevelRoundTrip() throws {
            #expect(try roundTrip(everyPlane) == everyPlane)
            #expect(try roundTrip("") == "")
            // Strings are checked against their repaired decoding: a real U+FFFD is no repair.
            #expect(try roundTrip("sent as \u{FFFD} itself") == "sent as \u{FFFD} itself")
            #expect(try roundTrip(Int8.min) == Int8.min)
            #expect(try roundTrip(UInt64.max) == UInt64.max)
            #expect(try roundTrip(Optional<Int>.none) == nil)
            #expect(try roundTrip(Optional(Optional(3))) == Optional(Optional(3)))
            #expect(try roundTrip(Double.nan).isNaN)
            #expect(try roundTrip(-0.0 as Double).sign == .minus)
            #expect(try roundTrip([Int]()) == [])
        }

        @Test func byteArraysAreWrittenWhole() throws {
            let empty = try BinaryEncoder().encode([UInt8]())
            #expect(empty == [8, 0], "tag and a zero length")
            let bytes = patternedBytes(16 << 20)
            let encoded = try BinaryEncoder().encode(bytes)
            #expect(encoded.count == bytes.count + 5, "tag, a 4-byte varint length, the bytes")
            #expect(sameBytes(try BinaryDecoder().decode([UInt8].self, from: encoded), bytes))
        }

        /// Containers written to after a later one was opened, which the streaming encoder
        /// cannot take: the same bytes through the tree; and containers long enough that
        /// their length and count need more than a byte each.
        @Test func containersUsedOutOfOrderAndLongContainersRoundTrip() throws {
            let interleaved = Interleaved(first: 1, second: -2)
            #expect(try roundTrip(interleaved) == interleaved)
            let long = Array(0..<300).map { "item \($0)" }
            #expect(try roundTrip(long) == long)
            let nested = [Array(repeating: Int32.max, count: 200), [], [7]]
            #expect(try roundTrip(nested) == nested)
            // A scalar array and the same values through an unkeyed container of their own are one format.
            #expect(try BinaryEncoder().encode([Int16(1), -1, 300]) == (try BinaryEncoder().encode(Shorts(values: [1, -1, 300]))))
        }

        @Test func classHierarchiesThroughSuperEncoderRoundTrip() throws {
            let dog = try roundTrip(Dog(name: "Rex", goodBoy: true))
            #expect(dog.name == "Rex" && dog.goodBoy)
        }

        @Test func aValueThatFailsToEncodeIsATypedError() {
            let error = processError { _ = try BinaryEncoder().encode(Unencodable()) }
            #expect(error?.code == .unencodableValue)
        }

        @Test func deepNestingWithinTheLimitRoundTripsAndBeyondItIsAnError() throws {
            let deep = Nest(depth: 200)
            #expect(try roundTrip(deep) == deep)
            let tooDeep = Nest(depth: 10_000)
            #expect(processError { _ = try BinaryEncoder().encode(tooDeep) }?.code == .unencodableValue)
            let hostile = hostileNesting(levels: 1_000)
            #expect(processError { _ = try BinaryDecoder().decode(Nest.self, from: hostile) }?.code == .undecodableMessage)
        }

        /// `levels` keyed containers, each the value of key "node" in the one around it, as
        /// `Nest` reads them; built inside out so that each length is right.
        func hostileNesting(levels: Int) -> [UInt8] {
            var value: [UInt8] = [9, 1, 0]   // an empty keyed container: the leaf
            for _ in 0..<levels {
                // { "node": { "_0": value } }
                let inner = [1] + [2] + Array("_0".utf8) + value
                let innerContainer = [9] + varint(inner.count) + inner
                let outer = [1] + [4] + Array("node".utf8) + innerContainer
                value = [9] + varint(outer.count) + outer
            }
            return value
        }

        func varint(_ value: Int) -> [UInt8] {
            var v = UInt64(value)
            var out: [UInt8] = []
            while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
            return out + [UInt8(v)]
        }

        @Test(arguments: [
            ("truncated", Array([7, 5, 0x61, 0x62])),
            ("unknown tag", [99]),
            ("empty input", []),
            ("trailing bytes", [7, 1, 0x61, 0]),
            ("invalid UTF-8", [7, 2, 0xc3, 0x28]),
            ("lone surrogate", [7, 3, 0xed, 0xa0, 0x80]),
            ("a length past the end", [7, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x61]),
            ("an overlong varint", [3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
            ("another type", [3, 2]),
        ] as [(String, [UInt8])])
        func badBytesForAStringAreUndecodable(_ what: String, _ bytes: [UInt8]) {
            let error = processError { _ = try BinaryDecoder().decode(String.self, from: bytes) }
            #expect(error?.code == .undecodableMessage, "\(what)")
        }

        @Test func countsLargerThanTheBytesThereAreRefusedBeforeAllocating() {
            // An unkeyed container that claims 2^62 elements in 11 bytes.
            let bytes: [UInt8] = [10, 9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
            let error = processError { _ = try BinaryDecoder().decode([Int].self, from: bytes) }
            #expect(error?.code == .undecodableMessage)
        }

        @Test func numbersThatDoNotFitAndUnknownEnumCasesAreUndecodable() throws {
            let big = try BinaryEncoder().encode(300)
            #expect(processError { _ = try BinaryDecoder().decode(UInt8.self, from: big) }?.code == .undecodableMessage)
            let negative = try BinaryEncoder().encode(-1)
            #expect(processError { _ = try BinaryDecoder().decode(UInt.self, from: negative) }?.code == .undecodableMessage)
            let blue = try BinaryEncoder().encode("blue")
            #expect(processError { _ = try BinaryDecoder().decode(Colour.self, from: blue) }?.code == .undecodableMessage)
            let point = try BinaryEncoder().encode(Point(x: 1, y: 2))
            #expect(processError { _ = try BinaryDecoder().decode(Shape.self, from: point) }?.code == .undecodableMessage)
            #expect(processError { _ = try BinaryDecoder().decode(Drawing.self, from: point) }?.code == .undecodableMessage)
        }

        @Test func everyTruncationAndEveryByteFlipOfAMessageIsHandled() throws {
            let bytes = try BinaryEncoder().encode(sampleDrawing)
            for length in 0..<bytes.count {
                let error = processError { _ = try BinaryDecoder().decode(Drawing.self, from: Array(bytes[0..<length])) }
                #expect(error?.code == .undecodableMessage)
            }
            // A flipped byte may still decode (a changed number); it must never trap.
            for index in bytes.indices {
                for flip: UInt8 in [0x01, 0x80, 0xff] {
                    var damaged = bytes
                    damaged[index] ^= flip
                    _ = try? BinaryDecoder().decode(Drawing.self, from: damaged)
                }
            }
        }
    }
}

/// `count` bytes that are not all alike (each 4 KiB page differs), made fast in a debug build.
func patternedBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0xa5, count: count)
    for index in stride(from: 0, to: count, by: 4093) { bytes[index] = UInt8(truncatingIfNeeded: index / 4093) }
    if count > 0 { bytes[count - 1] = 0x5a }
    return bytes
}

/// Whether two byte arrays are equal, with memcmp (Array's == is slow in a debug build).
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in a.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 } }
}

/// Two nested containers, the first written to after the second was opened.
private struct Interleaved: Codable, Equatable {
    var first: Int
    var second: Int

    private enum Keys: CodingKey { case first, second }
    private enum Inner: CodingKey { case value }

    init(first: Int, second: Int) {
        self.first = first
        self.second = second
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var firstBox = container.nestedContainer(keyedBy: Inner.self, forKey: .first)
        var secondBox = container.nestedContainer(keyedBy: Inner.self, forKey: .second)
        try secondBox.encode(second, forKey: .value)
        try firstBox.encode(first, forKey: .value)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        first = try container.nestedContainer(keyedBy: Inner.self, forKey: .first).decode(Int.self, forKey: .value)
        second = try container.nestedContainer(keyedBy: Inner.self, forKey: .second).decode(Int.self, forKey: .value)
    }
}

/// Int16 values in an unkeyed container written element by element.
private struct Shorts: Encodable {
    var values: [Int16]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for value in values { try container.encode(value) }
    }
}
