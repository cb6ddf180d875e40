import CProcShim
import ProcCore
import Testing

import Glibc

/// ShareableList on its own: Python's layout written and read back, the room each item
/// has, and blocks that are not lists.
@Suite struct ShareableListTests {
    static let mixed: [ShareableValue] = [42, -7, 2.5, true, false, "héllo", .bytes([1, 2, 3]), .none, ""]

    @Test func everyKindRoundTripsThroughAnotherAttachment() throws {
        let list = try ShareableList(creatingWithName: nil, values: Self.mixed)
        defer { try? list.memory.unlink() }
        #expect(list.count == 9 && list.name.hasPrefix("psm_"))
        #expect(try list.values() == Self.mixed)
        let other = try ShareableList(attachingTo: list.name)
        #expect(other.count == 9)
        #expect(try other.values() == Self.mixed)
        try other.setValue(.int(.min), at: 0)
        #expect(try list.value(at: 0) == .int(.min), "one block: the change is seen through both")
    }

    @Test func theBlockIsSizedAndLaidOutAsPythonLaysItOut() throws {
        // 8 (count) + 8 × 4 (offsets) + 8 + 8 + 16 (data: "hello, world" takes 16) + 8 × 3 (formats) + 3 (codes)
        let list = try ShareableList(creatingWithName: nil, values: [7, .none, "hello, world"])
        defer { try? list.memory.unlink() }
        #expect(list.memory.size == 99)
        let bytes = UnsafeRawBufferPointer(list.memory.bytes)
        func word(_ offset: Int) -> Int64 { bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self) }
        #expect([word(0), word(8), word(16), word(24), word(32)] == [3, 0, 8, 16, 32])
        #expect(word(40) == 7)
        #expect(Array(bytes[56..<72]) == Array("hello, world\0\0\0\0".utf8))
        #expect(Array(bytes[72..<96]) == Array("q\0\0\0\0\0\0\0xxxxxx?x16s\0\0\0\0\0".utf8))
        #expect(Array(bytes[96..<99]) == [0, 3, 1])
    }

    @Test func anItemTakesAnyKindWithinItsRoomAndNoMore() throws {
        let list = try ShareableList(creatingWithName: nil, values: [1, "abc"])
        defer { try? list.memory.unlink() }
        try list.setValue("8 bytes!", at: 0)
        #expect(try list.value(at: 0) == "8 bytes!", "a number's 8 bytes hold a string of 8")
        let tooLong = processError { try list.setValue("nine byte", at: 0) }
        #expect(tooLong?.code == .invalidArgument)
        #expect(try list.value(at: 0) == "8 bytes!", "nothing written when the value does not fit")
        try list.setValue(2.5, at: 1)
        #expect(try list.value(at: 1) == 2.5)
        try list.setValue(.bytes(Array(repeating: 9, count: 8)), at: 1)
        #expect(try list.value(at: 1) == .bytes(Array(repeating: 9, count: 8)))
    }

    @Test func stringsAreGivenRoomForTheirUTF8AndLoseTrailingNULsAsInPython() throws {
        let wide = String(repeating: "é", count: 8)  // 8 characters, 16 bytes
        let list = try ShareableList(creatingWithName: nil, values: [.string(wide), .bytes([0, 1, 0, 0])])
        defer { try? list.memory.unlink() }
        #expect(try list.value(at: 0) == .string(wide))
        #expect(try list.value(at: 1) == .bytes([0, 1]), "Python strips trailing NULs too (CPython issue 106939)")
    }

    @Test func badUseIsATypedError() throws {
        let list = try ShareableList(creatingWithName: nil, values: [1])
        defer { try? list.memory.unlink() }
        #expect(processError { _ = try list.value(at: 1) }?.code == .invalidArgument)
        #expect(processError { try list.setValue(1, at: -1) }?.code == .invalidArgument)
        let huge = String(repeating: "x", count: 10_000_000)
        #expect(processError { _ = try ShareableList(creatingWithName: nil, values: [.string(huge)]) }?.code == .invalidArgument)
        #expect(processError { _ = try ShareableList(attachingTo: "procctl_no_such_list_\(getpid())") }?.errno == .noSuchFileOrDirectory)
        list.memory.close()
        #expect(processError { _ = try list.value(at: 0) }?.code == .closed)
    }

    @Test func aBlockThatIsNotAListIsRefusedAndABrokenItemIsUndecodable() throws {
        let block = try NamedSharedMemory(creatingWithName: nil, size: 64)
        defer { try? block.unlink() }
        block.bytes.storeBytes(of: Int64(1_000), as: Int64.self)
        #expect(processError { _ = try ShareableList(attachingTo: block.name) }?.code == .undecodableMessage, "1000 items cannot fit in 64 bytes")
        block.bytes.storeBytes(of: Int64(1), as: Int64.self)
        block.bytes.storeBytes(of: Int64(1 << 40), toByteOffset: 16, as: Int64.self)
        #expect(processError { _ = try ShareableList(attachingTo: block.name) }?.code == .undecodableMessage, "a slot beyond the block")

        let list = try ShareableList(creatingWithName: nil, values: ["abc", 5])
        defer { try? list.memory.unlink() }
        let formats = 8 * 4 + 16  // after the count, 3 offsets and two 8-byte slots
        "99s".utf8.enumerated().forEach { list.memory.bytes[formats + $0] = $1 }
        #expect(processError { _ = try list.value(at: 0) }?.code == .undecodableMessage, "a length beyond the slot")
        list.memory.bytes[formats + 8 * 2 + 1] = 1
        #expect(processError { _ = try list.value(at: 1) }?.code == .undecodableMessage, "format q with the str code")
        list.memory.bytes[formats + 8 * 2 + 1] = 9
        #expect(processError { _ = try list.value(at: 1) }?.code == .undecodableMessage, "no such code")
    }
}
