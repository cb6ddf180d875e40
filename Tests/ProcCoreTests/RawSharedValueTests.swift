import ProcCore
import ProcTestSupport
import Testing

extension ForkingTests {
    /// RawSharedValue and RawSharedArray, as CPython's test_rawvalue and test_rawarray:
    /// a child's writes are seen by the parent after it joins.
    @Suite struct RawSharedValueTests {
        @Test func aChildsWritesToRawValuesAreSeenByItsParent() throws {
            let number = try RawSharedValue(Int32(25))
            let ratio = try RawSharedValue(1.0 / 3.0)
            let letter = try RawSharedValue(UInt8(ascii: "x"))
            let child = try startChild {
                number.value = -number.value
                ratio.value = -ratio.value
                letter.value = UInt8(ascii: "y")
            }
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
            #expect(number.value == -25)
            #expect(ratio.value == -1.0 / 3.0)
            #expect(letter.value == UInt8(ascii: "y"))
        }

        @Test func aChildsWritesToARawArrayAreSeenByItsParent() throws {
            let array = try RawSharedArray([Int32(0), 1, 2, 3, 4])
            let child = try startChild {
                for index in 0..<array.count { try array.store(-(try array.load(at: index)) * 2, at: index) }
            }
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
            #expect(array.load() == [0, -2, -4, -6, -8])
            #expect(processError { try array.store(1, at: 5) }?.code == .invalidArgument)
            #expect(processError { _ = try array.load(at: -1) }?.code == .invalidArgument)
            #expect(processError { _ = try RawSharedArray<Int>([]) }?.code == .invalidArgument)
        }
    }
}
