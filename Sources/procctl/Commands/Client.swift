import ArgumentParser
import ProcCore
import SystemPackage


/// The seed's client: sends each line of stdin and prints the server's reply.
struct Client: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Send each line of stdin to an echo server and print its reply.",
        discussion: """
            Lines are stripped of surrounding whitespace and empty ones skipped; each is sent \
            with a newline, and the reply is the next line the server sends back (any \
            line-oriented server or program: procctl serve, serve -- PROGRAM, the seed's \
            server.py). The '>>: ' prompt appears only when stdin is a terminal. Exits 0 at the \
            end of input, 1 when the server cannot be reached or goes away.
            """
    )

    static let examples = [
        "procctl client                              # type lines; each comes back upper-cased",
        "printf 'hello\\nworld\\n' | procctl client    # HELLO, WORLD: works in a pipe",
        "procctl client --host ::1 --port 9000      # an IPv6 server on another port",
        "procctl client --unix /run/app.sock        # a server on a Unix socket",
    ]

    @OptionGroup var server: ServerAddressOptions

    func run() throws {
        let address = try server.address
        let connection: SocketConnection
        do {
            connection = try Self.connect(to: address)
        } catch {
            throw Terminal.fail("cannot connect to \(address): \(error.reason)")
        }
        var replies = LineReader(connection, maximumLineLength: Self.maximumReplyLength)
        let interactive = FileDescriptor.standardInput.isTerminal
        let output = FileDescriptor.standardOutput
        while true {
            if interactive { _ = try? output.writeAll(">>: ".utf8) }
            guard let line = readLine(strippingNewline: true) else {
                // Ctrl-D after the prompt: end its line, so the shell's prompt starts on a fresh one.
                if interactive { _ = try? output.writeAll("\n".utf8) }
                return
            }
            let message = Self.strip(line)
            if message.isEmpty { continue }
            // The line goes with its newline, so that a line-oriented server or program
            // answers it now; the reply is the next line back, whatever its length.
            let reply: String?
            do {
                try connection.writeAll(Array((message + "\n").utf8))
                reply = try replies.next()
            } catch let error where error.code == .invalidArgument {
                throw Terminal.fail("a reply from \(address) has no newline in its first \(Self.maximumReplyLength) bytes")
            } catch {
                throw Terminal.fail("connection to \(address) lost: \(error.reason)")
            }
            guard let reply else {
                throw Terminal.fail("connection to \(address) closed by the server")
            }
            do {
                try output.writeAll(Array((reply + "\n").utf8))
            } catch {
                // stdout closed (a pipe whose reader left): nothing more to show.
                throw ExitCode(1)
            }
        }
    }

    /// A connection to `address` whose connect may take 10 s, and whose replies as long as
    /// the server likes.
    private static func connect(to address: SocketAddress) throws(ProcessError) -> SocketConnection {
        let connection = try SocketConnection(connectingTo: address, timeout: .seconds(10))
        try connection.setTimeout(nil)
        return connection
    }

    /// The longest reply line read: a server that never sends a newline cannot grow the client without bound.
    private static let maximumReplyLength = 64 << 20

    /// The line without leading or trailing whitespace, as Python's `str.strip()`.
    static func strip(_ line: String) -> Substring {
        let start = line.firstIndex { !$0.isWhitespace } ?? line.endIndex
        let end = line.lastIndex { !$0.isWhitespace }.map { line.index(after: $0) } ?? start
        return line[start..<max(start, end)]
    }
}
