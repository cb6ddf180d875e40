import Testing

@testable import ProcCore

/// The length prefix a Connection sends, at the boundary where Python's framing switches to
/// its long form: checked on the header alone, so that it runs where 2 GiB of memory for a
/// whole message (LargeMessageInteropTests) is not there.
@Suite struct FrameHeaderTests {
    static func header(for length: Int) -> [UInt8] {
        var storage = FrameHeader.Storage()
        let size = FrameHeader.write(length: length, into: &storage)
        return withUnsafeBytes(of: &storage) { Array($0.prefix(size)) }
    }

    @Test func upTo0x7fffffffTheHeaderIsFourBigEndianBytes() {
        #expect(Self.header(for: 0) == [0, 0, 0, 0])
        #expect(Self.header(for: 0x0102_0304) == [1, 2, 3, 4])
        #expect(Self.header(for: 0x7fff_ffff) == [0x7f, 0xff, 0xff, 0xff])
    }

    @Test func aboveItTheHeaderIsMinusOneAndEightBigEndianBytes() {
        #expect(Self.header(for: 0x8000_0000) == [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x80, 0, 0, 0])
        #expect(Self.header(for: 0x01_0203_0405) == [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 2, 3, 4, 5])
    }

    @Test func theReaderTakesBackWhatTheWriterWrote() {
        for length in [0, 1, 0x7fff_ffff] {
            let parsed = Self.header(for: length).withUnsafeBytes { FrameHeader.readShort($0) }
            guard case .length(let value) = parsed else { Issue.record("\(length): not a short length"); continue }
            #expect(value == length)
        }
        let long = Self.header(for: 0x8000_0005)
        guard case .long = long.withUnsafeBytes({ FrameHeader.readShort($0) }) else {
            Issue.record("no long marker")
            return
        }
        #expect(long.withUnsafeBytes { FrameHeader.loadBigEndian(UnsafeRawBufferPointer(rebasing: $0[4...]), count: 8) } == 0x8000_0005)
    }
}
