import CProcShim
import ProcCore
import ProcTestSupport
import SystemPackage
import Testing

import Glibc

extension ForkingTests {
    /// Connection.receiveBytes(into:at:) and descriptors over a Connection, as CPython's
    /// test_connection (recv_bytes_into), test_fd_transfer, test_large_fd_transfer and
    /// test_missing_fd_transfer test them.
    @Suite struct ConnectionHandleTests {
        /// A child that echoes three messages back, then exits.
        private static func echoThree(_ pipe: Pipe) throws -> ChildProcess {
            try startChild {
                pipe.first.close()
                for _ in 0..<3 { try pipe.second.sendBytes(try pipe.second.receiveBytes()) }
            }
        }

        @Test func receiveBytesIntoABufferAtAnOffset() throws {
            let pipe = try Pipe()
            let child = try Self.echoThree(pipe)
            defer { stop(child) }
            pipe.second.close()
            let numbers: [Int32] = [1, 2, 3, 4, 5]
            let bytes = numbers.withUnsafeBytes { Array($0) }
            var buffer = [Int32](repeating: 0, count: 10)

            try pipe.first.sendBytes(bytes)
            let count = try buffer.withUnsafeMutableBytes { try pipe.first.receiveBytes(into: $0) }
            #expect(count == 20)
            #expect(buffer == numbers + Array(repeating: 0, count: 5))

            buffer = Array(repeating: 0, count: 10)
            try pipe.first.sendBytes(bytes)
            let atOffset = try buffer.withUnsafeMutableBytes { try pipe.first.receiveBytes(into: $0, at: 3 * 4) }
            #expect(atOffset == 20)
            #expect(buffer == [0, 0, 0] + numbers + [0, 0])

            // BufferTooShort: the whole message comes with the error, and the stream stays in step.
            let long = Array("A long message that does not fit in forty bytes at all.".utf8)
            var small = [UInt8](repeating: 0x20, count: 40)
            try pipe.first.sendBytes(long)
            let error = processError { _ = try small.withUnsafeMutableBytes { try pipe.first.receiveBytes(into: $0) } }
            #expect(error?.code == .bufferTooShort)
            #expect(error?.receivedBytes == long)
            #expect(small == Array(repeating: 0x20, count: 40), "a short buffer was written")
            #expect(processError { _ = try small.withUnsafeMutableBytes { try pipe.first.receiveBytes(into: $0, at: 41) } }?.code == .invalidArgument)
            finish(child)
            #expect(child.exitCode == 0)
            #expect(processError { _ = try pipe.first.receiveBytes() }?.code == .endOfStream)
        }

        /// CPython's test_fd_transfer and test_large_fd_transfer: the child writes through
        /// descriptors it received; one comes right behind an ordinary message, which the
        /// child's read ahead reaches before its receiveHandle.
        @Test func descriptorsCrossADuplexPipe() throws {
            let pipe = try Pipe()
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            let child = try startChild {
                pipe.first.close()
                guard try pipe.second.receive(String.self) == "here it comes" else { throw ChildProcess.Exit(2) }
                for text in ["foo", "bar"] {
                    let handle = try pipe.second.receiveHandle()
                    let bytes = Array(text.utf8)
                    guard pc_write_all(handle.rawValue, bytes, bytes.count) == 0 else { throw ChildProcess.Exit(3) }
                    _ = pc_close(handle.rawValue)
                }
            }
            defer { stop(child) }
            pipe.second.close()
            try pipe.first.send("here it comes")
            try pipe.first.sendHandle(FileDescriptor(rawValue: writeEnd))
            // A descriptor above 256 (CPython's issue #11657).
            let large = fcntl(writeEnd, F_DUPFD_CLOEXEC, 300)
            #expect(large >= 300)
            try pipe.first.sendHandle(FileDescriptor(rawValue: large))
            _ = pc_close(large)
            _ = pc_close(writeEnd)
            #expect(read(readEnd, exactly: 6) == Array("foobar".utf8))
            finish(child)
            #expect(child.exitCode == 0)
        }

        /// CPython's test_missing_fd_transfer: a message without a descriptor is a typed error.
        @Test func aMessageWithoutADescriptorIsNotAHandle() throws {
            let pipe = try Pipe()
            let child = try startChild {
                pipe.first.close()
                try pipe.second.sendBytes([0x48])
            }
            defer { stop(child) }
            pipe.second.close()
            #expect(processError { _ = try pipe.first.receiveHandle() }?.code == .corruptMessage)
            finish(child)
            #expect(child.exitCode == 0)
        }

        @Test func aOneWayPipeCannotCarryDescriptors() throws {
            let pipe = try Pipe(duplex: false)
            #expect(processError { try pipe.second.sendHandle(.standardInput) }?.code == .invalidArgument)
            #expect(processError { _ = try pipe.first.receiveHandle() }?.code == .invalidArgument)
        }
    }
}
