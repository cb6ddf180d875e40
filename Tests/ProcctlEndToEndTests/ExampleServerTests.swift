import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// The README's library example, `Examples/LineServer`: built by `swift test` beside
/// procctl, run as a user runs it, talked to over 127.0.0.1.
@Suite("Examples/LineServer")
struct ExampleServerTests {
    static let path = Procctl.path.parentDirectory + "/LineServer"

    @Test("Reverses each line, one forked child per connection, and drains on SIGTERM")
    func reversesLines() throws {
        guard access(Self.path, X_OK) == 0 else { throw HarnessError("LineServer is not built at \(Self.path)") }
        let server = try LaunchedProgram(Self.path, ["0"])
        defer { server.stop() }
        let line = try #require(server.readLine(timeout: 10), "no listening line; stderr: \(server.standardError())")
        let port = try #require(line.hasPrefix("listening on 127.0.0.1:") ? Int(line.dropFirst("listening on 127.0.0.1:".count)) : nil, "\(line)")
        var connections: [TestConnection] = []
        defer { for connection in connections { connection.close() } }
        for _ in 0..<2 { connections.append(try TestConnection(port: port)) }
        // Both open at once: each has its own child.
        try connections[0].send("hello\r\nworld\n")
        try connections[1].send("héllo, wörld\nlast line, no newline")
        connections[1].shutdownWrite()
        #expect(String(decoding: try connections[1].stream([], timeout: 10), as: UTF8.self) == "dlröw ,olléh\n" + String("last line, no newline".reversed()) + "\n")
        #expect(String(decoding: try connections[0].receive(count: 12), as: UTF8.self) == "olleh\ndlrow\n")
        connections[0].close()
        server.send(signal: SIGTERM)
        #expect(server.exitCode(timeout: 10) == 0)
        #expect(String(decoding: server.readStandardOutput(timeout: 2), as: UTF8.self).contains("served 2 connections"))
    }
}
