import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// Python's `multiprocessing.shared_memory.SharedMemory` on one side, `NamedSharedMemory`
/// on the other: a block one creates, the other attaches to by name, reads and writes.
@Suite(.enabled(if: PythonProcess.isAvailable, "python3 is not installed: nothing to interoperate with"))
struct SharedMemoryInteropTests {
    /// Creates a 5000-byte block under a random name, writes "from python" at 0, prints the
    /// name and size, waits (bounded) for byte 100 to become 1, prints bytes 200..<210,
    /// then unlinks the block as its creator.
    static let pythonCreator = """
        import sys, time
        from multiprocessing.shared_memory import SharedMemory
        shm = SharedMemory(create=True, size=5000)
        shm.buf[0:11] = b'from python'
        print(shm.name, shm.size, flush=True)
        deadline = time.monotonic() + 20
        while shm.buf[100] != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        print(bytes(shm.buf[200:210]).decode(errors='replace'), flush=True)
        shm.close()
        shm.unlink()
        """

    /// Attaches to the block named in argv[1], prints its size and first 10 bytes, writes
    /// "from python" at 100, and leaves the name to its creator: Python 3.12 and earlier
    /// would unlink a block it merely attached to when it exits (its resource tracker),
    /// so the script unregisters it.
    static let pythonAttacher = """
        import sys
        from multiprocessing import resource_tracker
        from multiprocessing.shared_memory import SharedMemory
        shm = SharedMemory(name=sys.argv[1])
        resource_tracker.unregister(shm._name, 'shared_memory')
        print(shm.size, bytes(shm.buf[0:10]).decode(errors='replace'), flush=True)
        shm.buf[100:111] = b'from python'
        shm.close()
        print('done', flush=True)
        """

    @Test(arguments: PythonProcess.interpreters)
    func swiftChangesABlockPythonCreated(python: String) throws {
        let creator = try PythonProcess(python, script: Self.pythonCreator)
        defer { creator.stop() }
        let fields = try #require(creator.readLine()?.split(separator: " ").map(String.init))
        try #require(fields.count == 2)
        let (name, size) = (fields[0], Int(fields[1]))
        defer { _ = pc_shm_unlink("/" + name) }
        #expect(name.hasPrefix("psm_"))
        let block = try NamedSharedMemory(attachingTo: name)
        #expect(block.size == size && size == 5000)
        #expect(Array(block.bytes[0..<11]) == Array("from python".utf8))
        Array("from swift".utf8).withUnsafeBytes { block.bytes.baseAddress!.advanced(by: 200).copyMemory(from: $0.baseAddress!, byteCount: 10) }
        block.bytes[100] = 1
        #expect(creator.readLine() == "from swift")
        #expect(creator.exitCode() == 0)
        #expect(!sharedMemoryExists(name), "Python, the creator, unlinked it")
    }

    @Test(arguments: PythonProcess.interpreters)
    func pythonChangesABlockSwiftCreated(python: String) throws {
        let block = try NamedSharedMemory(creatingWithName: nil, size: 3000)
        defer { try? block.unlink() }
        Array("from swift".utf8).withUnsafeBytes { block.bytes.copyMemory(from: $0) }
        let attacher = try PythonProcess(python, script: Self.pythonAttacher, arguments: [block.name])
        defer { attacher.stop() }
        #expect(attacher.readLine() == "3000 from swift")
        #expect(attacher.readLine() == "done")
        #expect(attacher.exitCode() == 0)
        #expect(Array(block.bytes[100..<111]) == Array("from python".utf8))
        #expect(sharedMemoryExists(block.name), "Python, which only attached, left the name")
        try block.unlink()
        #expect(!sharedMemoryExists(block.name))
    }
}
