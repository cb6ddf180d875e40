import CProcShim
import ProcCore
import ProcTestSupport
import SystemPackage
import Testing

import Glibc

extension ForkingTests {
    /// Pipe and Connection between a parent and a forked child: messages both ways,
    /// end-of-stream at both ends, and typed errors for every bad frame.
    @Suite struct ConnectionTests {
        /// A child that echoes every message on `end` back until end-of-stream, then exits 0
        /// (3 if the stream ended any other way).
        func echoChild(_ pipe: Pipe) -> ChildProcess {
            ChildProcess(threadPolicy: .allow) {
                pipe.first.close()
                while true {
                    let bytes: [UInt8]
                    do { bytes = try pipe.second.receiveBytes() } catch let error as ProcessError where error.code == .endOfStream { return }
                    catch { throw ChildProcess.Exit(3) }
                    try pipe.second.sendBytes(bytes)
                }
            }
        }

        @Test func codableValuesAndBytesMakeTheRoundTripThroughAChild() throws {
            let pipe = try Pipe()
            let child = echoChild(pipe)
            try child.start()
            defer { stop(child) }
            pipe.second.close()
            try pipe.first.send(sampleDrawing)
            #expect(try pipe.first.receive(Drawing.self) == sampleDrawing)
            try pipe.first.send(everyPlane)
            #expect(try pipe.first.receive(String.self) == everyPlane)
            try pipe.first.sendBytes([])
            #expect(try pipe.first.receiveBytes() == [])
            let big = patternedBytes(16 << 20)
            try pipe.first.sendBytes(big)
            #expect(sameBytes(try pipe.first.receiveBytes(), big))
            try pipe.first.send([UInt8]())
            #expect(try pipe.first.receive([UInt8].self) == [])
            pipe.first.close()
            finish(child)
            #expect(child.exitCode == 0, "the child saw end-of-stream once the parent closed its end")
        }

        @Test func receiveReportsEndOfStreamAtOnceWhenTheChildEnds() throws {
            let pipe = try Pipe()
            let child = ChildProcess(threadPolicy: .allow) { try pipe.second.send("last words") }
            try child.start()
            defer { stop(child) }
            pipe.second.close()
            #expect(try pipe.first.receive(String.self) == "last words")
            let started = pc_monotonic_ns()
            #expect(processError { _ = try pipe.first.receiveBytes() }?.code == .endOfStream)
            #expect(seconds(since: started) < 5)
            finish(child)
            // The child is gone: sending is end-of-stream too (EPIPE), not SIGPIPE.
            let error = processError { try pipe.first.send(1) }
            #expect(error?.code == .endOfStream)
            #expect(error?.errno == .brokenPipe)
        }

        @Test func aOneWayPipeReceivesAtTheFirstEndOnly() throws {
            let pipe = try Pipe(duplex: false)
            let child = ChildProcess(threadPolicy: .allow) {
                pipe.first.close()
                for n in 0..<100 { try pipe.second.send(n) }
            }
            try child.start()
            defer { stop(child) }
            pipe.second.close()
            for n in 0..<100 { #expect(try pipe.first.receive(Int.self) == n) }
            #expect(processError { _ = try pipe.first.receive(Int.self) }?.code == .endOfStream)
            #expect(processError { try pipe.first.send(1) }?.code == .closed)
            finish(child)
            #expect(child.exitCode == 0)
        }

        @Test func sendingIntoAOneWayPipeWhoseReaderIsGoneIsEndOfStreamNotSIGPIPE() throws {
            let pipe = try Pipe(duplex: false)
            pipe.first.close()   // before the fork: no process holds the reading end
            let child = ChildProcess(threadPolicy: .allow) {
                // A process that has not ignored SIGPIPE, as most programs have not.
                signal(SIGPIPE, SIG_DFL)
                do {
                    try pipe.second.send("into the void")
                } catch let error as ProcessError where error.code == .endOfStream && error.errno == .brokenPipe {
                    throw ChildProcess.Exit(7)
                }
            }
            try child.start()
            defer { stop(child) }
            pipe.second.close()
            finish(child)
            #expect(child.exitCode == 7, "-13 would be death by SIGPIPE")
        }

        @Test func pollWaitsForAMessageUpToItsTimeout() throws {
            let pipe = try Pipe()
            #expect(try pipe.first.poll() == false)
            let started = pc_monotonic_ns()
            #expect(try pipe.first.poll(timeout: .milliseconds(100)) == false)
            #expect(seconds(since: started) >= 0.09)
            let child = ChildProcess(threadPolicy: .allow) {
                TestClock.sleep(0.1)
                try pipe.second.send("ready")
            }
            try child.start()
            defer { stop(child) }
            #expect(try pipe.first.poll(timeout: .seconds(10)) == true)
            #expect(try pipe.first.receive(String.self) == "ready")
            finish(child)
            pipe.second.close()
            #expect(try pipe.first.poll(timeout: .seconds(10)) == true, "end-of-stream is ready too")
            #expect(processError { _ = try pipe.first.receiveBytes() }?.code == .endOfStream)
        }

        /// Writes raw bytes to the second end's descriptor and closes it.
        func receive(afterRaw bytes: [UInt8], maximum: Int? = nil) throws -> ProcessError? {
            let pipe = try Pipe()
            pipe.first.maximumMessageLength = maximum
            #expect(bytes.withUnsafeBytes { pc_write_all(pipe.second.rawDescriptor, $0.baseAddress, $0.count) } == 0)
            pipe.second.close()
            return processError { _ = try pipe.first.receiveBytes() }
        }

        @Test func truncatedAndCorruptFramesAreTypedErrors() throws {
            #expect(try receive(afterRaw: [0, 0])?.code == .corruptMessage, "a header cut short")
            #expect(try receive(afterRaw: [0, 0, 0, 100] + [UInt8](repeating: 1, count: 10))?.code == .corruptMessage, "a body cut short")
            #expect(try receive(afterRaw: [0xff, 0xff, 0xff, 0xfb])?.code == .corruptMessage, "a negative length")
            #expect(try receive(afterRaw: [0xff, 0xff, 0xff, 0xff, 0, 0])?.code == .corruptMessage, "a long header cut short")
            #expect(try receive(afterRaw: [0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0])?.code == .corruptMessage, "a length beyond Int")
            // A header that claims 64 GiB, followed by 3 bytes: an error at once, no 64 GiB allocated.
            #expect(try receive(afterRaw: [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 2, 3])?.code == .corruptMessage)
            #expect(try receive(afterRaw: [0, 0, 1, 0], maximum: 255)?.code == .messageTooLarge)
            #expect(try receive(afterRaw: [0, 0, 0, 0]) == nil, "an empty message is a message")
        }

        @Test func aCorruptFrameLeavesTheEndOutOfStepButUndecodableBytesDoNot() throws {
            let pipe = try Pipe()
            try pipe.second.sendBytes([99, 1, 2])
            try pipe.second.send("next")
            #expect(processError { _ = try pipe.first.receive(String.self) }?.code == .undecodableMessage)
            #expect(try pipe.first.receive(String.self) == "next", "a whole frame that did not decode costs only itself")
            try pipe.second.send(1)
            #expect(processError { _ = try pipe.first.receive(String.self) }?.code == .undecodableMessage)
            #expect(pc_write_all(pipe.second.rawDescriptor, [0xff, 0xff, 0xff, 0xf0], 4) == 0)
            try pipe.second.send("after")
            #expect(processError { _ = try pipe.first.receiveBytes() }?.code == .corruptMessage)
            #expect(processError { _ = try pipe.first.receiveBytes() }?.code == .corruptMessage, "no guessing where the next frame starts")
        }

        @Test func messagesReadAheadAreReadyAndReceivedInOrder() throws {
            let pipe = try Pipe()
            let big = patternedBytes(100_000)
            // Three frames in one write: a small one, one larger than the read-ahead, a small one.
            var burst: [UInt8] = [0, 0, 0, 1, 42]
            burst += [0, 0x01, 0x86, 0xa0] + big
            burst += [0, 0, 0, 2, 7, 8]
            #expect(burst.withUnsafeBytes { pc_write_all(pipe.second.rawDescriptor, $0.baseAddress, $0.count) } == 0)
            #expect(try pipe.first.receiveBytes() == [42])
            #expect(try pipe.first.poll(), "the rest was read ahead or is in the socket")
            #expect(try waitForReady([pipe.first], timeout: .zero) == [0])
            #expect(sameBytes(try pipe.first.receiveBytes(), big))
            #expect(try pipe.first.receiveBytes() == [7, 8])
            #expect(try pipe.first.poll() == false, "nothing left anywhere")
            #expect(try waitForReady([pipe.first], timeout: .zero).isEmpty)
            // Read ahead with nothing left in the socket: ready although the descriptor is not.
            try pipe.second.sendBytes([1])
            try pipe.second.sendBytes([2])
            #expect(try pipe.first.receiveBytes() == [1])
            var revents: Int16 = 0
            #expect(pc_poll_one(pipe.first.rawDescriptor, Int16(POLLIN), 0, &revents) == 0)
            #expect(revents == 0, "both messages came in one read")
            #expect(try pipe.first.poll())
            #expect(try waitForReady([pipe.first], timeout: .seconds(5)) == [0])
            #expect(try pipe.first.receiveBytes() == [2])
        }

        @Test func pythonsSendBytesFramingIsTheSame() throws {
            // Python 3.8+: 4-byte big-endian length; what Connection writes for 5 bytes.
            let pipe = try Pipe()
            try pipe.second.sendBytes(Array("hello".utf8))
            var raw = [UInt8](repeating: 0, count: 9)
            var count = 0
            #expect(raw.withUnsafeMutableBytes { pc_read_full(pipe.first.rawDescriptor, $0.baseAddress, 9, &count) } == 0)
            #expect(raw == [0, 0, 0, 5] + Array("hello".utf8))
        }

        @Test func aClosedEndRefusesUseAndClosesOnce() throws {
            let pipe = try Pipe()
            pipe.first.close()
            pipe.first.close()
            #expect(pipe.first.isClosed)
            #expect(processError { try pipe.first.send(1) }?.code == .closed)
            #expect(processError { _ = try pipe.first.receiveBytes() }?.code == .closed)
            #expect(processError { _ = try pipe.first.poll() }?.code == .closed)
            #expect(processError { try pipe.second.sendBytes([1]) }?.code == .endOfStream)
        }

        /// A message is decoded where it lies in the read-ahead buffer and encoded with an
        /// encoder kept between messages: a Decoder or Encoder a value keeps must not reach
        /// the bytes of another message.
        @Test func aDecoderOrEncoderKeptPastItsCallReachesNoOtherMessage() throws {
            let pipe = try Pipe()
            try pipe.second.send(5)
            #expect(processError { _ = try pipe.first.receive(DecoderKeeper.self) }?.code == .undecodableMessage)
            #expect(processError { _ = try BinaryDecoder().decode(DecoderKeeper.self, from: try BinaryEncoder().encode(5)) }?.code == .undecodableMessage)
            let keeper = EncoderKeeper()
            try pipe.second.send(keeper)
            try pipe.second.send(WritesThroughKeptEncoder(keeper: keeper))
            try pipe.second.send("after")
            #expect(try pipe.first.receive(Int.self) == 1)
            #expect(try pipe.first.receive([String].self) == ["mine", "mine too"])
            #expect(try pipe.first.receive(String.self) == "after")
        }

        @Test func aValueThatCannotBeEncodedSendsNothing() throws {
            let pipe = try Pipe()
            #expect(processError { try pipe.first.send(Unencodable()) }?.code == .unencodableValue)
            #expect(try pipe.second.poll() == false, "nothing was written")
        }
    }
}
