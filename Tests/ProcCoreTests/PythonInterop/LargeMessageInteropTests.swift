import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A message just over 2 GiB between a Swift `Connection` and Python's `Connection`, both
/// ways: the long frame header (-1, then an 8-byte length) that Python 3.8+ writes and reads
/// for a message over 0x7fffffff bytes.
///
/// It takes about 35 s on two busy cores, most of it Python's own `recv_bytes` (which
/// gathers a message through an `io.BytesIO`: 16 s for 2 GiB Python to Python, same
/// machine, same load); the waits are bounded (Python's alarm, the poll's timeout).
/// One test, not one per interpreter, so that two copies never run at once: Python holds
/// the message (and its `recv_bytes` buffer) beside our 2 GiB, about 7 GiB together.
@Suite(.enabled(if: PythonProcess.isAvailable, "python3 is not installed: nothing to interoperate with"))
struct LargeMessageInteropTests {
    /// What the two processes hold together at most: our message (2 GiB), Python's
    /// received bytes and the buffer `recv_bytes` fills (up to 4.5 GiB), and room for the rest.
    static let memoryNeeded = 8 << 30

    /// Just over 0x7fffffff bytes, and not a whole number of chunks.
    static let messageLength = (1 << 31) + 12_345
    /// The message is made of chunks: each is the same random block, its first 8 bytes
    /// replaced by the chunk's number (big-endian), so that a lost, repeated or reordered
    /// chunk is seen, not only a changed byte.
    static let chunkLength = 1 << 20

    /// Receives the block and then the large message, checks the message's length and each
    /// chunk against the block, prints "<length> <first bad chunk or -1>", and sends the
    /// message back. An alarm ends it if the test stops talking to it.
    static let pythonEcho = """
        import os, signal, sys
        from multiprocessing.connection import Connection
        signal.alarm(300)
        connection = Connection(os.dup(0))
        block = connection.recv_bytes()
        data = connection.recv_bytes()
        size, body = len(block), block[8:]
        bad = -1
        for number, start in enumerate(range(0, len(data), size)):
            length = min(size, len(data) - start)
            stamp, rest = number.to_bytes(8, 'big')[:length], body[:max(0, length - 8)]
            if not (data.startswith(stamp, start) and data.startswith(rest, start + 8)):
                bad = number
                break
        print(len(data), bad, flush=True)
        connection.send_bytes(data)
        try:
            connection.recv_bytes()
        except EOFError:
            print('closed', flush=True)
        """

    /// The bytes of /proc/meminfo's MemAvailable, or 0 when it cannot be read.
    static func memoryAvailable() -> Int {
        guard let file = fopen("/proc/meminfo", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("MemAvailable:") {
                let kilobytes = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                return kilobytes * 1024
            }
        }
        return 0
    }

    /// Chunk `number` of the message, `length` bytes of it, written at `destination`.
    static func writeChunk(_ number: Int, length: Int, of block: [UInt8], to destination: UnsafeMutableRawPointer) {
        block.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: length) }
        var stamp = UInt64(number).bigEndian
        withUnsafeBytes(of: &stamp) { destination.copyMemory(from: $0.baseAddress!, byteCount: min(8, length)) }
    }

    /// The number of the first chunk of `message` that is not what `writeChunk` wrote, or nil.
    static func firstBadChunk(in message: UnsafeRawBufferPointer, block: [UInt8]) -> Int? {
        let expected = UnsafeMutableRawPointer.allocate(byteCount: chunkLength, alignment: 16)
        defer { expected.deallocate() }
        for (number, start) in stride(from: 0, to: message.count, by: chunkLength).enumerated() {
            let length = min(chunkLength, message.count - start)
            writeChunk(number, length: length, of: block, to: expected)
            if memcmp(message.baseAddress! + start, expected, length) != 0 { return number }
        }
        return nil
    }

    @Test(.enabled(if: memoryAvailable() >= memoryNeeded, "needs 8 GiB of MemAvailable for a 2 GiB message held by both sides"))
    func aMessageOverTwoGigabytesCrossesToPythonAndBack() throws {
        let python = try #require(PythonProcess.interpreters.first)
        let pipe = try Pipe()
        let echo = try PythonProcess(python, script: Self.pythonEcho, standardInput: pipe.second.rawDescriptor)
        defer { echo.stop() }
        pipe.second.close()
        let connection = pipe.first

        var generator = SystemRandomNumberGenerator()
        var block = [UInt8](repeating: 0, count: Self.chunkLength)
        block.withUnsafeMutableBytes { bytes in
            for offset in stride(from: 0, to: bytes.count, by: 8) { bytes.storeBytes(of: generator.next(), toByteOffset: offset, as: UInt64.self) }
        }
        let message = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.messageLength, alignment: 16)
        defer { message.deallocate() }
        for (number, start) in stride(from: 0, to: Self.messageLength, by: Self.chunkLength).enumerated() {
            Self.writeChunk(number, length: min(Self.chunkLength, Self.messageLength - start), of: block, to: message.baseAddress! + start)
        }
        #expect(Self.firstBadChunk(in: UnsafeRawBufferPointer(message), block: block) == nil, "the pattern checks itself")

        try connection.sendBytes(block)
        try connection.sendBytes(UnsafeRawBufferPointer(message))
        #expect(echo.readLine(within: 300) == "\(Self.messageLength) -1", "Python's recv_bytes got every byte in order")

        // Back into the same memory, cleared first, so that only what arrives can pass.
        memset(message.baseAddress!, 0, message.count)
        #expect(try connection.poll(timeout: .seconds(300)))
        let received = try connection.receiveBytes(into: message)
        #expect(received == Self.messageLength, "Python's send_bytes framed it with the long header")
        #expect(Self.firstBadChunk(in: UnsafeRawBufferPointer(message), block: block) == nil)
        connection.close()
        #expect(echo.readLine(within: 60) == "closed")
        #expect(echo.exitCode(within: 60) == 0)
    }
}
