import CProcShim
import ProcCore
import Testing

import Glibc

/// Python's `multiprocessing.shared_memory.ShareableList` on one side, `ShareableList` on
/// the other: a list one makes, the other attaches to by name, reads and changes.
@Suite(.enabled(if: PythonProcess.isAvailable, "python3 is not installed: nothing to interoperate with"))
struct ShareableListInteropTests {
    /// Makes a list of every kind, prints its name, waits (bounded) for its last item to
    /// become "done", prints the list's repr, and unlinks it as its creator.
    static let pythonCreator = """
        import time
        from multiprocessing.shared_memory import ShareableList
        sl = ShareableList([42, -7, 2.5, True, False, 'héllo wörld', b'\\x01\\x02', None, 'waiting'])
        print(sl.shm.name, flush=True)
        deadline = time.monotonic() + 20
        while sl[8] != 'done' and time.monotonic() < deadline:
            time.sleep(0.01)
        print(repr(list(sl)), flush=True)
        sl.shm.close()
        sl.shm.unlink()
        """

    /// Attaches to the list named in argv[1] (leaving the name to its creator: see
    /// SharedMemoryInteropTests), prints its repr and its formats, whether a list Python
    /// makes of the same values has the very same bytes, then changes items and prints "done".
    static let pythonAttacher = """
        import sys
        from multiprocessing import resource_tracker
        from multiprocessing.shared_memory import ShareableList
        sl = ShareableList(name=sys.argv[1])
        resource_tracker.unregister(sl.shm._name, 'shared_memory')
        print(repr(list(sl)), flush=True)
        print(sl.format, flush=True)
        own = ShareableList([42, -7, 2.5, True, False, 'hello', b'\\x01\\x02', None, ''])
        print(bytes(own.shm.buf) == bytes(sl.shm.buf), flush=True)
        own.shm.close()
        own.shm.unlink()
        sl[0] = 'from py'
        sl[2] = None
        sl[5] = b'bytes'
        sl[7] = 1 << 40
        sl[8] = -0.25
        sl.shm.close()
        print('done', flush=True)
        """

    @Test(arguments: PythonProcess.interpreters)
    func swiftReadsAndChangesAListPythonMade(python: String) throws {
        let creator = try PythonProcess(python, script: Self.pythonCreator)
        defer { creator.stop() }
        let name = try #require(creator.readLine(), "Python printed no name")
        defer { _ = pc_shm_unlink("/" + name) }
        let list = try ShareableList(attachingTo: name)
        #expect(try list.values() == [42, -7, 2.5, true, false, "héllo wörld", .bytes([1, 2]), .none, "waiting"])
        try list.setValue("8 bytes!", at: 0)
        try list.setValue(-0.5, at: 1)
        try list.setValue(.none, at: 2)
        try list.setValue(.int(1 << 40), at: 3)
        try list.setValue(.bytes([0, 1, 0xff]), at: 4)
        try list.setValue("ok", at: 5)
        try list.setValue(true, at: 7)
        try list.setValue("done", at: 8)
        #expect(creator.readLine() == #"['8 bytes!', -0.5, None, 1099511627776, b'\x00\x01\xff', 'ok', b'\x01\x02', True, 'done']"#)
        #expect(creator.exitCode() == 0)
        #expect(!sharedMemoryExists(name), "Python, the creator, unlinked it")
    }

    @Test(arguments: PythonProcess.interpreters)
    func pythonReadsAndChangesAListSwiftMade(python: String) throws {
        let list = try ShareableList(creatingWithName: nil, values: [42, -7, 2.5, true, false, "hello", .bytes([1, 2]), .none, ""])
        defer { try? list.memory.unlink() }
        let attacher = try PythonProcess(python, script: Self.pythonAttacher, arguments: [list.name])
        defer { attacher.stop() }
        #expect(attacher.readLine() == #"[42, -7, 2.5, True, False, 'hello', b'\x01\x02', None, '']"#)
        #expect(attacher.readLine() == "qqdxxxxxxx?xxxxxxx?8s8sxxxxxx?x8s")
        #expect(attacher.readLine() == "True", "byte for byte the list Python makes of the same values")
        #expect(attacher.readLine() == "done")
        #expect(attacher.exitCode() == 0)
        #expect(try list.values() == ["from py", -7, .none, true, false, .bytes(Array("bytes".utf8)), .bytes([1, 2]), .int(1 << 40), -0.25])
        #expect(sharedMemoryExists(list.name), "Python, which only attached, left the name")
    }
}
