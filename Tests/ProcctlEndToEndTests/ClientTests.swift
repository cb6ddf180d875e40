import CProcShim
import Testing

import Glibc

/// `procctl client`, end to end, against `procctl serve` and against test listeners.
@Suite("procctl client")
struct ClientTests {
    @Test("Pipe mode: lines stripped, empty ones skipped, one reply per line, no prompt, exit 0")
    func pipeMode() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let input = "hello\n  Mixed Case 123  \n\n   \n\tünïcode stays\r\nno newline at the end"
        let client = try Procctl.launch(["client", "--port", "\(server.port)"], input: .bytes(Array(input.utf8)))
        defer { client.stop() }
        let output = String(decoding: client.readStandardOutput(timeout: 10), as: UTF8.self)
        #expect(output == "HELLO\nMIXED CASE 123\nüNïCODE STAYS\nNO NEWLINE AT THE END\n")
        #expect(client.exitCode(timeout: 10) == 0)
        #expect(client.standardError().isEmpty)
    }

    @Test("A long line is read back whole, not one recv's worth")
    func longLine() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        var generator = SplitMix64(seed: 7)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let line = (0..<300_000).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }
        let client = try Procctl.launch(["client", "--port", "\(server.port)"], input: .bytes(line + [UInt8(ascii: "\n")]))
        defer { client.stop() }
        let output = client.readStandardOutput(timeout: 20)
        #expect(output == pythonUpper(line) + [UInt8(ascii: "\n")])
        #expect(client.exitCode(timeout: 10) == 0)
    }

    @Test("The README's program example answers procctl client line by line, stdin still open")
    func readmeProgramExample() throws {
        let server = try RunningServer(["--grace", "1", "--", "stdbuf", "-oL", "tr", "a-z", "A-Z"])
        defer { server.stop() }
        try Self.talkLineByLine(port: server.port, lines: [("hello", "HELLO"), ("  Second line ", "SECOND LINE")])
    }

    @Test("The README's library example (Examples/LineServer) answers procctl client line by line")
    func readmeLineServerExample() throws {
        let server = try LaunchedProgram(ExampleServerTests.path, ["0"])
        defer { server.stop() }
        let line = try #require(server.readLine(timeout: 10), "no listening line; stderr: \(server.standardError())")
        let port = try #require(Int(line.dropFirst("listening on 127.0.0.1:".count)), "\(line)")
        try Self.talkLineByLine(port: port, lines: [("hello", "olleh"), ("abc def", "fed cba")])
    }

    @Test("A reply of another length than the line: the client prints the line that comes back")
    func replyOfAnotherLength() throws {
        let server = try RunningServer(["--grace", "1", "--", "sed", "-u", "s/.*/[&]/"])
        defer { server.stop() }
        try Self.talkLineByLine(port: server.port, lines: [("a", "[a]"), ("bb", "[bb]")])
    }

    /// Sends each line to `procctl client` on a pipe kept open, and waits for its reply
    /// before the next: a client or server that waits for the end of input fails here.
    private static func talkLineByLine(port: Int, lines: [(sent: String, reply: String)]) throws {
        let client = try Procctl.launch(["client", "--port", "\(port)"], input: .pipe)
        defer { client.stop() }
        for (sent, reply) in lines {
            try client.write(toStandardInput: Array((sent + "\n").utf8))
            #expect(client.readLine(timeout: 10) == reply, "no reply to \(sent); stderr: \(client.standardError())")
        }
        client.closeStandardInput()
        #expect(client.exitCode(timeout: 10) == 0)
        #expect(client.standardError().isEmpty)
    }

    @Test("Connection refused: one line, exit 1")
    func refused() throws {
        let port = try LoopbackPort.unused()
        let client = try Procctl.launch(["client", "--port", "\(port)"], input: .bytes(Array("hello\n".utf8)))
        defer { client.stop() }
        #expect(client.exitCode(timeout: 10) == 1)
        #expect(client.standardError() == "procctl: cannot connect to 127.0.0.1:\(port): Connection refused\n")
        #expect(client.readStandardOutput(timeout: 1).isEmpty)
    }

    @Test("The server gone mid-session: the replies so far, then one line, exit 1")
    func serverGone() throws {
        var listenerFD: Int32 = -1
        var port: Int32 = 0
        #expect(pc_tcp_listen("127.0.0.1", 0, 4, &listenerFD, &port) == 0)
        defer { _ = pc_close(listenerFD) }
        let client = try Procctl.launch(["client", "--port", "\(port)"], input: .pipe)
        defer { client.stop() }
        var revents: Int16 = 0
        #expect(pc_poll_one(listenerFD, Int16(POLLIN), 10_000, &revents) == 0 && revents != 0)
        var connectionFD: Int32 = -1
        try #require(pc_accept(listenerFD, 0, &connectionFD, nil, 0, nil) == 0)
        let connection = TestConnection(adopting: connectionFD)
        // Serve one line by hand, then leave.
        try client.write(toStandardInput: Array("one\n".utf8))
        let first = try connection.receive(count: 4)
        #expect(first == Array("one\n".utf8))
        try connection.send("ONE\n")
        #expect(client.readLine(timeout: 10) == "ONE")
        connection.close()
        try? client.write(toStandardInput: Array("two\n".utf8))
        client.closeStandardInput()
        #expect(client.exitCode(timeout: 10) == 1)
        let log = client.standardError()
        #expect(log.hasPrefix("procctl: connection to 127.0.0.1:\(port) "), "\(log)")
        #expect(log.split(separator: "\n").count == 1, "\(log)")
    }

    @Test("Bad arguments: a clear error, a non-zero exit", arguments: [
        (["--host", "localhost"], "--host must be a numeric IPv4 or IPv6 address"),
        (["--port", "0"], "--port must be between 1 and 65535"),
        (["--port", "65536"], "--port must be between 1 and 65535"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let client = try Procctl.launch(["client"] + arguments)
        defer { client.stop() }
        let code = try #require(client.exitCode(timeout: 10))
        #expect(code > 0)
        let log = client.standardError()
        #expect(log.split(separator: "\n").first?.contains(message) == true, "\(log)")
    }
}
