@testable import ProcCore
import Testing

extension ForkingTests {
    /// Arrays of scalars, which the coders write and read in one loop each: the bytes are
    /// those of an unkeyed container filled element by element, every element type comes
    /// back as it went, and no cut or damaged array makes the decoder trap.
    @Suite struct ScalarArrayCodingTests {
        @Test func everyScalarArrayIsTheUnkeyedContainerOfItsElements() throws {
            try expectOneFormat([Int.min, -1, 0, 1, Int.max])
            try expectOneFormat([Int64.min, 300, Int64.max])
            try expectOneFormat([Int32.min, -2, 40_000, Int32.max])
            try expectOneFormat([Int16.min, 0, Int16.max])
            try expectOneFormat([Int8.min, -1, Int8.max])
            try expectOneFormat([UInt.max, 0, 127, 128])
            try expectOneFormat([UInt64.max, 1 << 63])
            try expectOneFormat([UInt32.max, 0])
            try expectOneFormat([UInt16.max, 255])
            try expectOneFormat([-0.0, .infinity, -.greatestFiniteMagnitude, .pi] as [Double])
            try expectOneFormat([-0.0, .infinity, .leastNonzeroMagnitude] as [Float])
            try expectOneFormat(["", "é", "a longer string than fifteen bytes", "\u{FFFD}"])
            try expectOneFormat([true, false, false])
            try expectOneFormat([Int32]())
            // Over 127 bytes, a body whose length needs a second byte (the body moves once).
            try expectOneFormat(Array(repeating: Int64.min, count: 40))
            try expectOneFormat((0..<300).map { Double($0) / 7 })
        }

        @Test func aNaNInAnArrayComesBackANaN() throws {
            let back = try BinaryDecoder().decode([Double].self, from: try BinaryEncoder().encode([1, .nan]))
            #expect(back.count == 2 && back[0] == 1 && back[1].isNaN)
        }

        @Test func elementsThatDoNotFitTheAskedTypeAreUndecodable() throws {
            let wide = try BinaryEncoder().encode([Int64(1), Int64(Int32.max) + 1])
            #expect(processError { _ = try BinaryDecoder().decode([Int32].self, from: wide) }?.code == .undecodableMessage)
            let strings = try BinaryEncoder().encode(["1", "2"])
            #expect(processError { _ = try BinaryDecoder().decode([Int].self, from: strings) }?.code == .undecodableMessage)
            let doubles = try BinaryEncoder().encode([1.5])
            #expect(processError { _ = try BinaryDecoder().decode([Float].self, from: doubles) }?.code == .undecodableMessage)
            // A Float widens to a Double, as a single value does.
            #expect(try BinaryDecoder().decode([Double].self, from: try BinaryEncoder().encode([Float(1.5)])) == [1.5])
        }

        @Test func everyTruncationAndByteFlipOfScalarArraysIsHandled() throws {
            let message = Arrays(ints: [1, -300, Int32.max], doubles: [0.5, -.infinity], floats: [2], strings: ["ab", "é"], flags: [true, false], words: [UInt16.max])
            let bytes = try BinaryEncoder().encode(message)
            #expect(try BinaryDecoder().decode(Arrays.self, from: bytes) == message)
            for length in 0..<bytes.count {
                let error = processError { _ = try BinaryDecoder().decode(Arrays.self, from: Array(bytes[0..<length])) }
                #expect(error?.code == .undecodableMessage)
            }
            for index in bytes.indices {
                for flip: UInt8 in [0x01, 0x02, 0x08, 0x80, 0xff] {
                    var damaged = bytes
                    damaged[index] ^= flip
                    _ = try? BinaryDecoder().decode(Arrays.self, from: damaged)
                }
            }
        }

        /// `WireTag(byte:)` reinterprets the byte: it must be `init(rawValue:)` for every byte.
        @Test func everyByteIsTheTagItsRawValueNames() {
            for byte in UInt8.min...UInt8.max {
                #expect(WireTag(byte: byte) == WireTag(rawValue: byte), "byte \(byte)")
            }
        }

        /// Encodes `values` as an array, and element by element through an unkeyed
        /// container; expects the same bytes, and the values back from both.
        private func expectOneFormat<Element: Codable & Equatable>(_ values: [Element], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let whole = try BinaryEncoder().encode(values)
            let oneByOne = try BinaryEncoder().encode(ElementByElement(values: values))
            #expect(whole == oneByOne, "\([Element].self)", sourceLocation: sourceLocation)
            #expect(try BinaryDecoder().decode([Element].self, from: whole) == values, sourceLocation: sourceLocation)
            #expect(try BinaryDecoder().decode(ElementByElement<Element>.self, from: whole).values == values, sourceLocation: sourceLocation)
        }
    }
}

/// An array coded element by element through an unkeyed container, as a type of its own
/// would (the path the coders' one-loop arrays must match).
private struct ElementByElement<Element: Codable>: Codable {
    var values: [Element]

    init(values: [Element]) { self.values = values }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        values = []
        while !container.isAtEnd { values.append(try container.decode(Element.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for value in values { try container.encode(value) }
    }
}

/// A struct of one array of each kind of scalar.
private struct Arrays: Codable, Equatable {
    var ints: [Int32]
    var doubles: [Double]
    var floats: [Float]
    var strings: [String]
    var flags: [Bool]
    var words: [UInt16]
}
