import ArgumentParser
import CProcShim
import ProcCore

/// `procctl bench pool`: what a ProcessPool task and a fork-server child cost.
struct BenchPool: CommandWithExamples {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Time ProcessPool tasks that do nothing, and children started through a ForkServer.",
        discussion: """
            As the Python anchors (run ipc) measure Pool(2): map with chunk size 1 over N \
            tasks, map with the default chunking over 10 x N tasks, N applyAsync handles then \
            each one's get; per task, the median of --rounds rounds. Then a child that does \
            nothing, started and joined through a ForkServer and as a plain ChildProcess \
            fork, interleaved child by child: medians.
            """
    )

    static let examples = [
        "procctl bench pool                                # 10000 tasks, 500 children",
        "procctl bench pool --tasks 1000 --children 100    # a shorter run",
        "procctl bench pool --workers 4 --json             # four workers, one JSON object",
    ]

    @Option(parsing: .unconditional, help: "Tasks per measurement (map with default chunking runs 10 x this many).")
    var tasks = 10_000

    @Option(parsing: .unconditional, help: "Pool workers (the anchors use 2).")
    var workers = 2

    @Option(parsing: .unconditional, help: "Rounds of each pool measurement; the median is reported.")
    var rounds = 3

    @Option(parsing: .unconditional, help: "Children per start+join measurement.")
    var children = 500

    @Flag(help: "Print one JSON object instead of the lines.")
    var json = false

    func validate() throws {
        guard (1...1_000_000).contains(tasks) else { throw ValidationError("--tasks must be between 1 and 1000000 (got \(tasks)).") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64 (got \(workers)).") }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 100 (got \(rounds)).") }
        guard (1...100_000).contains(children) else { throw ValidationError("--children must be between 1 and 100000 (got \(children)).") }
    }

    func run() throws {
        let nothing = ForkEntryPoint<Int>("nothing") { _ in }
        do {
            // First, while procctl runs one thread: the server is a fork of it as it is now.
            let server = try ForkServer(serving: nothing)
            defer { server.stop() }
            let perTask = try measurePool()
            let (served, forked) = try measureChildren(server: server, entry: nothing)
            report(perTask: perTask, forkServerUs: served, forkUs: forked)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw Terminal.fail("bench pool: \(error)")
        }
    }

    /// Median µs per task of map with chunk size 1, map with default chunking, applyAsync.
    private func measurePool() throws -> (mapChunk1: Double, mapDefault: Double, applyAsync: Double) {
        let pool = try ProcessPool(workers: workers) { (n: Int) in n }
        defer { pool.terminate() }
        _ = try pool.map(0..<100)
        var chunk1: [Double] = []
        var chunked: [Double] = []
        var async: [Double] = []
        for _ in 0..<rounds {
            chunk1.append(try Self.microsecondsPerTask(tasks) { _ = try pool.map(0..<tasks, chunkSize: 1) })
            chunked.append(try Self.microsecondsPerTask(tasks * 10) { _ = try pool.map(0..<(tasks * 10)) })
            async.append(try Self.microsecondsPerTask(tasks) {
                let handles = try (0..<tasks).map { try pool.applyAsync($0) }
                for handle in handles { _ = try handle.get() }
            })
        }
        return (SampleSummary(chunk1)!.median, SampleSummary(chunked)!.median, SampleSummary(async)!.median)
    }

    private static func microsecondsPerTask(_ count: Int, _ body: () throws -> Void) throws -> Double {
        let start = pc_monotonic_ns()
        try body()
        return Double(pc_monotonic_ns() - start) / 1000 / Double(count)
    }

    /// Median µs of a do-nothing child's start+join through `server`, and as a ChildProcess fork.
    private func measureChildren(server: ForkServer, entry: ForkEntryPoint<Int>) throws -> (Double, Double) {
        var served: [Double] = []
        var forked: [Double] = []
        for index in 0..<(children + 20) {
            let serverStart = pc_monotonic_ns()
            let child = try server.start(entry, with: index)
            try child.join()
            let serverEnd = pc_monotonic_ns()
            let plain = ChildProcess {}
            try plain.start()
            try plain.join()
            let plainEnd = pc_monotonic_ns()
            guard child.exitCode == 0, plain.exitCode == 0 else { throw BenchFailure("a child did not exit 0") }
            // The first 20 warm both paths up.
            if index >= 20 {
                served.append(Double(serverEnd - serverStart) / 1000)
                forked.append(Double(plainEnd - serverEnd) / 1000)
            }
        }
        return (SampleSummary(served)!.median, SampleSummary(forked)!.median)
    }

    private func report(perTask: (mapChunk1: Double, mapDefault: Double, applyAsync: Double), forkServerUs: Double, forkUs: Double) {
        if json {
            Terminal.say(JSONValue.object([
                ("tasks", .int(tasks)),
                ("per_task_us", .object([
                    ("map_chunk1", .double(perTask.mapChunk1, decimals: 3)),
                    ("map_default", .double(perTask.mapDefault, decimals: 3)),
                    ("apply_async", .double(perTask.applyAsync, decimals: 3)),
                ])),
                ("forkserver_start_join_us", .double(forkServerUs, decimals: 1)),
                ("fork_start_join_us", .double(forkUs, decimals: 1)),
            ]).text)
        } else {
            Terminal.say("bench pool: \(workers) workers, \(tasks) tasks per measurement, median of \(rounds) rounds")
            Terminal.say("map, chunk size 1            \(perTask.mapChunk1.formatted(decimals: 2)) us per task")
            Terminal.say("map, default chunking        \(perTask.mapDefault.formatted(decimals: 3)) us per task (\(tasks * 10) tasks)")
            Terminal.say("applyAsync + get             \(perTask.applyAsync.formatted(decimals: 2)) us per task")
            Terminal.say("fork server start+join       \(forkServerUs.formatted(decimals: 1)) us per child")
            Terminal.say("ChildProcess fork start+join \(forkUs.formatted(decimals: 1)) us per child "
                + "(fork server / fork: \((forkServerUs / forkUs).formatted(decimals: 2))x)")
        }
    }
}
