import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// Whether `/dev/shm/<name>` exists: the name has not been unlinked.
func sharedMemoryExists(_ name: String) -> Bool {
    access("/dev/shm/\(name)", F_OK) == 0
}

/// NamedSharedMemory on its own: names, sizes and who unlinks when.
@Suite struct NamedSharedMemoryTests {
    static func uniqueName() -> String { "procctl_test_\(getpid())_\(UInt32.random(in: 0 ... .max))" }

    @Test func aRandomNameIsPythonsKindAndTheLayoutIsThePlainFile() throws {
        let block = try NamedSharedMemory(creatingWithName: nil, size: 5000)
        defer { try? block.unlink() }
        #expect(block.name.hasPrefix("psm_") && block.name.count == 14)
        #expect(block.name.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(block.size == 5000 && block.bytes.allSatisfy { $0 == 0 })
        var info = stat()
        #expect(stat("/dev/shm/\(block.name)", &info) == 0 && info.st_size == 5000, "not rounded to pages, as in Python")
        block.bytes[4999] = 9
        let other = try NamedSharedMemory(attachingTo: block.name)
        #expect(other.size == 5000 && other.bytes[4999] == 9)
        other.bytes[0] = 1
        #expect(block.bytes[0] == 1)
    }

    @Test func unlinkRemovesTheNameButNotTheMappings() throws {
        let block = try NamedSharedMemory(creatingWithName: Self.uniqueName(), size: 64)
        let other = try NamedSharedMemory(attachingTo: block.name)
        try block.unlink()
        #expect(!sharedMemoryExists(block.name))
        other.bytes[3] = 5
        #expect(block.bytes[3] == 5, "mappings outlive the name")
        #expect(processError { try block.unlink() }?.errno == .noSuchFileOrDirectory)
        #expect(processError { _ = try NamedSharedMemory(attachingTo: block.name) }?.errno == .noSuchFileOrDirectory)
    }

    @Test func closingAndDroppingLeaveTheName() throws {
        let name = Self.uniqueName()
        do {
            let block = try NamedSharedMemory(creatingWithName: name, size: 64)
            block.bytes[0] = 7
            block.close()
        }
        defer { _ = pc_shm_unlink("/" + name) }
        #expect(sharedMemoryExists(name), "only unlink() removes a name, as in Python")
        let attached = try NamedSharedMemory(attachingTo: name)
        #expect(attached.bytes[0] == 7)
        withExtendedLifetime(attached) {}
    }

    @Test func badRequestsAreTypedErrors() throws {
        let name = Self.uniqueName()
        #expect(processError { _ = try NamedSharedMemory(creatingWithName: name, size: 0) }?.code == .invalidArgument)
        #expect(processError { _ = try NamedSharedMemory(creatingWithName: "a/b", size: 8) }?.code == .invalidArgument)
        #expect(processError { _ = try NamedSharedMemory(attachingTo: "") }?.code == .invalidArgument)
        let block = try NamedSharedMemory(creatingWithName: name, size: 8)
        defer { try? block.unlink() }
        #expect(processError { _ = try NamedSharedMemory(creatingWithName: name, size: 8) }?.errno == .fileExists)
    }

    @Test func unlinkWhenCreatorEndsCleansUpAfterAKilledCreator() throws {
        let (readEnd, writeEnd) = try makePipe()
        let (holdRead, holdWrite) = try makePipe()
        defer { _ = pc_close(readEnd); _ = pc_close(holdRead); _ = pc_close(holdWrite) }
        let creator = ChildProcess(threadPolicy: .allow) {
            let block = try NamedSharedMemory(creatingWithName: nil, size: 128, unlinkWhenCreatorEnds: true)
            let line = Array((block.name + "\n").utf8)
            _ = line.withUnsafeBytes { pc_write_all(writeEnd, $0.baseAddress, $0.count) }
            var byte: UInt8 = 0
            var count = 0
            _ = pc_read(holdRead, &byte, 1, &count)  // blocks until killed: the test holds the write end
            withExtendedLifetime(block) {}
        }
        try creator.start()
        defer { stop(creator) }
        _ = pc_close(writeEnd)
        let line = read(readEnd, exactly: 15)  // "psm_" and ten hex digits, then a newline
        let name = String(decoding: line.dropLast(), as: UTF8.self)
        defer { _ = pc_shm_unlink("/" + name) }
        try #require(line.count == 15 && name.hasPrefix("psm_"), "the creator sent no name")
        #expect(sharedMemoryExists(name))
        try creator.kill()
        finish(creator)
        #expect(TestClock.waitUntil(timeout: 20) { !sharedMemoryExists(name) }, "the watcher unlinks the killed creator's block")
    }

    @Test func unlinkWhenCreatorEndsCoversADroppedBlockAndStandsDownOnUnlink() throws {
        var name = ""
        do {
            let block = try NamedSharedMemory(creatingWithName: nil, size: 16, unlinkWhenCreatorEnds: true)
            name = block.name
            #expect(sharedMemoryExists(name))
        }
        #expect(!sharedMemoryExists(name), "dropped without unlink(): the watcher unlinked it before deinit returned")

        let block = try NamedSharedMemory(creatingWithName: nil, size: 16, unlinkWhenCreatorEnds: true)
        try block.unlink()
        #expect(!sharedMemoryExists(block.name))
        // The same name made again must survive the dismissed watcher.
        let again = try NamedSharedMemory(creatingWithName: block.name, size: 16)
        defer { try? again.unlink() }
        #expect(sharedMemoryExists(again.name))
    }
}
