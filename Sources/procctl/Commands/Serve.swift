import ArgumentParser
import ProcCore

/// The seed's forking echo server: a child per connection, every byte echoed upper-cased;
/// or, after `--`, any program per connection, as tcpserver runs one.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve TCP connections, one forked child each, echoing every byte with a-z upper-cased.",
        discussion: """
            Prints 'listening on HOST:PORT' on stdout once listening (the real port with --port 0) \
            and logs connections and children on stderr. SIGTERM or SIGINT stops accepting, lets live \
            connections go on for up to --grace seconds, kills the rest and exits 0. \
            After --, a PROGRAM [ARGS...] serves each connection instead of the echo: \
            procctl serve --port 8080 -- tr a-z A-Z.
            """
    )

    @Option(help: "The numeric address to listen on; 0.0.0.0 for every IPv4 interface.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 for an ephemeral port.")
    var port = 8080

    @Option(help: "How many connections the kernel queues before accept.")
    var backlog = 128

    @Option(name: .customLong("max-children"), help: "At most this many connections are served at once; the next ones wait in the backlog.")
    var maxChildren = 256

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay idle before it is closed; 0 for never.")
    var idleTimeout = 300.0

    @Option(help: "Seconds live connections may go on after SIGTERM or SIGINT before they are killed.")
    var grace = 10.0

    @Flag(help: "Log errors only.")
    var quiet = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp(
        "A program (and its arguments) to run for each connection instead of the echo, as tcpserver does: stdin and stdout on the socket, with PROTO=TCP, TCPREMOTEIP, TCPREMOTEPORT, TCPLOCALIP and TCPLOCALPORT in its environment.",
        valueName: "program"
    ))
    var program: [String] = []

    func validate() throws {
        try NumericAddress.validate(host: host, port: port, ports: 0...65535)
        guard (1...65535).contains(backlog) else { throw ValidationError("--backlog must be between 1 and 65535 (got \(backlog)).") }
        guard (1...65536).contains(maxChildren) else { throw ValidationError("--max-children must be between 1 and 65536 (got \(maxChildren)).") }
        guard idleTimeout >= 0, idleTimeout <= 1e6 else { throw ValidationError("--idle-timeout must be a number of seconds, 0 or more.") }
        guard grace >= 0, grace <= 1e6 else { throw ValidationError("--grace must be a number of seconds, 0 or more.") }
    }

    func run() throws {
        let configuration = ServerConfiguration(
            host: host, port: port, backlog: backlog,
            idleTimeout: idleTimeout > 0 ? .seconds(idleTimeout) : nil,
            grace: .seconds(grace), quiet: quiet,
            model: .forkPerConnection(maxChildren: maxChildren)
        )
        let server: Server
        do {
            if let executable = program.first {
                server = try Server(configuration: configuration, program: Program(executable, arguments: Array(program.dropFirst())))
            } else {
                server = try Server(configuration: configuration, handler: EchoHandler().serve)
            }
        } catch let error where error.code == .cannotExecute {
            let reason = error.errno?.description ?? "\(error.code)"
            throw Terminal.fail("cannot execute '\(program.first ?? "")': \(reason)", exitCode: 127)
        } catch let error where error.operation.hasPrefix("listen on") {
            let reason = error.errno?.description ?? "\(error.code)"
            throw Terminal.fail("cannot listen on \(NumericAddress.describe(host: host, port: port)): \(reason)")
        } catch {
            throw Terminal.fail("serve: \(error)")
        }
        Terminal.say("listening on \(NumericAddress.describe(host: host, port: server.port))")
        let summary = server.run()
        if !quiet {
            Terminal.log("shut down: served \(summary.connectionsServed) connections, killed \(summary.childrenKilled) children")
        }
    }
}
