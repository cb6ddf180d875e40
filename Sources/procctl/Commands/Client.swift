import ArgumentParser
import ProcCore
import SystemPackage


/// The seed's client: sends each line of stdin and prints the server's reply.
struct Client: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Send each line of stdin to an echo server and print its reply.",
        discussion: """
            Lines are stripped of surrounding whitespace and empty ones skipped. The '>>: ' prompt \
            appears only when stdin is a terminal. Exits 0 at the end of input, 1 when the server \
            cannot be reached or goes away.
            """
    )

    static let examples = [
        "procctl client                              # type lines; each comes back upper-cased",
        "printf 'hello\\nworld\\n' | procctl client    # HELLO, WORLD: works in a pipe",
        "procctl client --host ::1 --port 9000      # an IPv6 server on another port",
    ]

    @Option(help: "The server's numeric address.")
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: "The server's port.")
    var port = 8080

    func validate() throws {
        try NumericAddress.validate(host: host, port: port, ports: 1...65535)
    }

    func run() throws {
        let address = NumericAddress.describe(host: host, port: port)
        let connection: TCPConnection
        do {
            connection = try TCPConnection(connectingTo: host, port: port)
        } catch {
            throw Terminal.fail("cannot connect to \(address): \(error.errno?.description ?? "\(error.code)")")
        }
        defer { connection.close() }
        let interactive = FileDescriptor.standardInput.isTerminal
        let output = FileDescriptor.standardOutput
        while true {
            if interactive { _ = try? output.writeAll(">>: ".utf8) }
            guard let line = readLine(strippingNewline: true) else {
                // Ctrl-D after the prompt: end its line, so the shell's prompt starts on a fresh one.
                if interactive { _ = try? output.writeAll("\n".utf8) }
                return
            }
            let message = Array(Self.strip(line).utf8)
            if message.isEmpty { continue }
            // The reply has as many bytes as the message, and may come in several reads.
            var reply = [UInt8](repeating: 0, count: message.count)
            do {
                try connection.writeAll(message)
                let received = try reply.withUnsafeMutableBytes { buffer throws(ProcessError) in
                    try connection.readFully(into: buffer)
                }
                guard received == message.count else {
                    throw Terminal.fail("connection to \(address) closed by the server")
                }
            } catch let error as ProcessError {
                throw Terminal.fail("connection to \(address) lost: \(error.errno?.description ?? "\(error.code)")")
            }
            reply.append(UInt8(ascii: "\n"))
            do {
                try output.writeAll(reply)
            } catch {
                // stdout closed (a pipe whose reader left): nothing more to show.
                throw ExitCode(1)
            }
        }
    }

    /// The line without leading or trailing whitespace, as Python's `str.strip()`.
    static func strip(_ line: String) -> Substring {
        let start = line.firstIndex { !$0.isWhitespace } ?? line.endIndex
        let end = line.lastIndex { !$0.isWhitespace }.map { line.index(after: $0) } ?? start
        return line[start..<max(start, end)]
    }
}
