import ArgumentParser
import ProcCore
import SystemPackage

/// A load generator for any upper-casing echo server: forked worker processes open the
/// connections, send the messages and check every reply; the parent adds up the results.
struct Load: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Load an upper-casing echo server and report connections/s, messages/s, MB/s, latency and errors.",
        discussion: """
            CONCURRENCY worker processes share CONNECTIONS connections; each connection sends \
            MESSAGES messages of SIZE bytes and checks that every reply is the upper-cased \
            message. Latency is per connection, connect included. MB/s counts the checked \
            reply bytes. The exit code is 1 when any connection failed or did not run.
            """
    )

    static let examples = [
        "procctl load --port 8080 --connections 2000 --concurrency 8        # short connections",
        "procctl load --port 8080 --connections 400 --messages 200 --json   # long ones, one JSON object",
        "procctl load --port 8080 --size 65536 --messages 20                # 64 KiB messages",
        "procctl load --unix /run/app.sock --connections 2000               # a server on a Unix socket",
    ]

    @Option(help: "The server's numeric IPv4 or IPv6 address (default: 127.0.0.1).")
    var host: String?

    @Option(parsing: .unconditional, help: "The server's port (default: 8080).")
    var port: Int?

    @Option(help: ArgumentHelp("Load the server on the Unix stream socket at this path instead of TCP (not with --host or --port).", valueName: "path"))
    var unix: String?

    @Option(parsing: .unconditional, help: "Connections in total.")
    var connections = 1000

    @Option(parsing: .unconditional, help: "Worker processes, each with one connection open at a time.")
    var concurrency = 8

    @Option(parsing: .unconditional, help: "Messages on each connection, each one waiting for its reply.")
    var messages = 1

    @Option(parsing: .unconditional, help: "Bytes in each message.")
    var size = 64

    @Option(parsing: .unconditional, help: "Seconds each connect, read and write may take.")
    var timeout = 10.0

    @Option(parsing: .unconditional, help: "Seconds the whole run may take; connections not started by then are reported as unfinished.")
    var deadline = 300.0

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        _ = try address
        guard (1...10_000_000).contains(connections) else { throw ValidationError("--connections must be between 1 and 10000000 (got \(connections)).") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 1024 (got \(concurrency)).") }
        guard (0...1_000_000).contains(messages) else { throw ValidationError("--messages must be between 0 and 1000000 (got \(messages)).") }
        guard (1...(64 << 20)).contains(size) else { throw ValidationError("--size must be between 1 and 67108864 bytes (got \(size)).") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be a number of seconds above 0, at most 3600 (got \(timeout.asTyped)).") }
        guard deadline > 0, deadline <= 86400 else { throw ValidationError("--deadline must be a number of seconds above 0, at most 86400 (got \(deadline.asTyped)).") }
    }

    /// `--unix PATH`, or `--host` and `--port`.
    private var address: SocketAddress {
        get throws { try NumericAddress.address(host: host, port: port, unix: unix, ports: 1...65535) }
    }

    func run() throws {
        let plan = LoadPlan(
            address: try address,
            connections: connections,
            concurrency: min(concurrency, connections),
            messages: messages,
            size: size,
            socketTimeoutMilliseconds: Int32(max(1, (timeout * 1000).rounded())),
            deadlineSeconds: deadline
        )
        let run: LoadRun
        do {
            run = try LoadRun.perform(plan, showingProgress: FileDescriptor.standardError.isTerminal)
        } catch {
            throw Terminal.fail("load: \(error)")
        }
        if json {
            Terminal.say(run.json.text)
        } else {
            for line in run.table { Terminal.say(line) }
        }
        if run.tally.failed > 0 || run.unfinished > 0 { throw ExitCode(1) }
    }
}
