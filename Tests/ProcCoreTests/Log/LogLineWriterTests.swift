import Foundation
@testable import ProcCore
import Testing

/// The JSON that `LogLineWriter` writes, read back with Foundation's parser.
@Suite struct LogLineWriterTests {
    /// An event whose message is raw bytes, which a String could not hold when invalid.
    struct RawEvent: ServerLogEvent {
        let bytes: [UInt8]
        var name: StaticString { "raw" }
        var level: ServerLogLevel { .warning }
        func writeMessage(to line: inout LogLineWriter) { bytes.withUnsafeBytes { line.append(bytes: $0) } }
        func writeFields(to line: inout LogLineWriter) { line.field("count", bytes.count) }
    }

    private func render<Event: ServerLogEvent>(_ event: Event, capacity: Int = 512, as format: ServerLogFormat = .json) -> String {
        withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { buffer in
            var writer = LogLineWriter(base: buffer.baseAddress!, capacity: capacity)
            writer.write(event, as: format)
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<writer.count]), as: UTF8.self)
        }
    }

    private func parse(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
    }

    @Test func quotesBackslashesAndControlCharactersAreEscaped() throws {
        let nasty = "say \"hi\" \\ back\nslash\ttab\r\u{1}\u{8}\u{c}\u{1f} é 日本 🙂"
        let line = render(ServerEvent("nasty", .error, nasty, ["path": .string(nasty), "pid": .int(-42), "grace_s": .seconds(.milliseconds(1500))]))
        #expect(!line.contains("\n"))
        let object = try parse(line)
        #expect(object["message"] as? String == nasty)
        #expect(object["path"] as? String == nasty)
        #expect((object["pid"] as? NSNumber)?.intValue == -42)
        #expect((object["grace_s"] as? NSNumber)?.doubleValue == 1.5)
        #expect(object["level"] as? String == "error" && object["event"] as? String == "nasty")
    }

    @Test func invalidUTF8BecomesTheReplacementCharacter() throws {
        // A stray continuation byte, an overlong "/", a surrogate, a cut sequence, 0xFF.
        let bytes: [UInt8] = [0x61, 0x80, 0x62, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xE6, 0x97, 0xFF, 0x63]
        let object = try parse(render(RawEvent(bytes: bytes)))
        let message = try #require(object["message"] as? String)
        #expect(message.hasPrefix("a\u{FFFD}b") && message.hasSuffix("c"))
        #expect(!message.unicodeScalars.contains { $0.value >= 0xD800 && $0.value <= 0xDFFF })
        #expect(message.unicodeScalars.filter { $0 == "\u{FFFD}" }.count == 9)
    }

    @Test func aLineCutShortIsStillOneJSONObject() throws {
        let long = String(repeating: "\"é\\", count: 400)
        for capacity in [240, 300, 512, 1000] {
            let line = render(ServerEvent("long", .info, long, ["reason": .string(long), "pid": .int(7)]), capacity: capacity)
            #expect(line.utf8.count <= capacity)
            let object = try parse(line)
            #expect((object["message"] as? String).map { long.hasPrefix($0) } == true)
        }
    }

    @Test func textIsTheMessageAlone() {
        #expect(render(ChildExitEvent(pid: 12, exitCode: -9), as: .text) == "child 12 exited with code -9")
        #expect(render(ConnectionEvent(peer: SocketAddress.tcp(host: "::1", port: 80), pid: 3), as: .text) == "connection from [::1]:80: child 3")
    }

    @Test func exitCodeOrSignal() throws {
        let killed = try parse(render(ChildExitEvent(pid: 12, exitCode: -9)))
        #expect((killed["signal"] as? NSNumber)?.intValue == 9 && killed["exit_code"] == nil)
        let exited = try parse(render(ChildExitEvent(pid: 12, exitCode: 3)))
        #expect((exited["exit_code"] as? NSNumber)?.intValue == 3 && exited["signal"] == nil)
    }

    @Test func civilDates() {
        #expect(LogLineWriter.civilDate(daysSinceEpoch: 0) == (1970, 1, 1))
        #expect(LogLineWriter.civilDate(daysSinceEpoch: 11_016) == (2000, 2, 29))
        #expect(LogLineWriter.civilDate(daysSinceEpoch: 20_788) == (2026, 12, 1))
        #expect(LogLineWriter.civilDate(daysSinceEpoch: -1) == (1969, 12, 31))
    }
}
