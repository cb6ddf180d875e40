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
            reply bytes. With --duration instead of --connections, the workers open \
            connections until the time is up. --timeline adds the connections by the second \
            in which they started, successes and failures by kind, so that a failure can be \
            placed next to an event (a stop, a kill, a reload). The exit code is 1 when any \
            connection failed or did not run.
            """
    )

    static let examples = [
        "procctl load --port 8080 --connections 2000 --concurrency 8        # short connections",
        "procctl load --port 8080 --connections 400 --messages 200 --json   # long ones, one JSON object",
        "procctl load --port 8080 --size 65536 --messages 20                # 64 KiB messages",
        "procctl load --unix /run/app.sock --connections 2000               # a server on a Unix socket",
        "procctl load --port 8080 --duration 60 --concurrency 32 --timeline # a minute, failures by second",
    ]

    @OptionGroup var server: ServerAddressOptions

    @Option(parsing: .unconditional, help: "Connections in total (default 1000; not with --duration).")
    var connections: Int?

    @Option(parsing: .unconditional, help: "Open connections for this many seconds instead of a number of connections.")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Worker processes, each with one connection open at a time.")
    var concurrency = 8

    @Option(parsing: .unconditional, help: "Messages on each connection, each one waiting for its reply.")
    var messages = 1

    @Option(parsing: .unconditional, help: "Bytes in each message.")
    var size = 64

    @Option(parsing: .unconditional, help: "Seconds each connect, read and write may take.")
    var timeout = 10.0

    @Option(parsing: .unconditional, help: "Seconds the whole run may take; connections not started by then are reported as unfinished (default 300; with --duration, the duration plus 10).")
    var deadline: Double?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Flag(help: "Add the connections by the second in which they started: one line per second, or a 'timeline' array in the JSON.")
    var timeline = false

    /// Connections in a run without --connections or --duration.
    private static let defaultConnections = 1000
    /// The deadline of a run of connections without --deadline.
    private static let defaultDeadline = 300.0
    /// How long past its --duration a timed run without --deadline may go on starting
    /// connections: only as long as forking the workers may take.
    private static let durationSlack = 10.0

    func validate() throws {
        if let connections {
            guard duration == nil else { throw ValidationError("--connections and --duration cannot be used together.") }
            guard (1...10_000_000).contains(connections) else { throw ValidationError("--connections must be between 1 and 10000000 (got \(connections)).") }
        }
        if let duration {
            guard duration > 0, duration <= 86400 else { throw ValidationError("--duration must be a number of seconds above 0, at most 86400 (got \(duration.asTyped)).") }
        }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 1024 (got \(concurrency)).") }
        guard (0...1_000_000).contains(messages) else { throw ValidationError("--messages must be between 0 and 1000000 (got \(messages)).") }
        guard (1...(64 << 20)).contains(size) else { throw ValidationError("--size must be between 1 and 67108864 bytes (got \(size)).") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be a number of seconds above 0, at most 3600 (got \(timeout.asTyped)).") }
        if let deadline {
            guard deadline > 0, deadline <= 86400 else { throw ValidationError("--deadline must be a number of seconds above 0, at most 86400 (got \(deadline.asTyped)).") }
            if let duration, deadline < duration {
                throw ValidationError("--deadline (\(deadline.asTyped)) must not be shorter than --duration (\(duration.asTyped)).")
            }
        }
    }

    func run() throws {
        let length: LoadLength = if let duration { .seconds(duration) } else { .connections(connections ?? Self.defaultConnections) }
        // More workers than connections would have nothing to do.
        let workers = if case .connections(let count) = length { min(concurrency, count) } else { concurrency }
        let plan = LoadPlan(
            address: try server.address,
            length: length,
            concurrency: workers,
            messages: messages,
            size: size,
            socketTimeoutMilliseconds: Int32(max(1, (timeout * 1000).rounded())),
            deadlineSeconds: deadline ?? duration.map { $0 + Self.durationSlack } ?? Self.defaultDeadline
        )
        let run: LoadRun
        do {
            run = try LoadRun.perform(plan, showingProgress: FileDescriptor.standardError.isTerminal)
        } catch {
            throw Terminal.fail("load: \(error)")
        }
        if json {
            Terminal.say(run.json(timeline: timeline).text)
        } else {
            for line in run.table { Terminal.say(line) }
            if timeline {
                for line in run.timelineTable { Terminal.say(line) }
            }
        }
        if run.tally.failed > 0 || run.unfinished > 0 { throw ExitCode(1) }
    }
}
