import ArgumentParser
import ProcCore

/// `procctl pool`: a CPU-bound job run sequentially, then on a ProcessPool, with the speedup.
struct Pool: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Count primes in T ranges sequentially, then on a process pool; print both times and the speedup.",
        discussion: """
            Each task counts the primes in one range of --span numbers by trial division. \
            The pool's time runs from creating the pool (forking its workers) to joining it; \
            both runs must find the same number of primes.
            """
    )

    static let examples = [
        "procctl pool                                    # 16 ranges, as many workers as cores",
        "procctl pool --workers 2 --tasks 64 --span 50000",
        "procctl pool --json                             # one JSON object, with the speedup",
    ]

    @Option(parsing: .unconditional, help: "Worker processes (default: the number of cores).")
    var workers: Int?

    @Option(parsing: .unconditional, help: "Tasks: ranges of numbers to count primes in.")
    var tasks = 16

    @Option(parsing: .unconditional, help: "Numbers in each range.")
    var span = 100_000

    @Flag(help: "Print one JSON object instead of the lines.")
    var json = false

    func validate() throws {
        if let workers, !(1...256).contains(workers) { throw ValidationError("--workers must be between 1 and 256 (got \(workers)).") }
        guard (1...100_000).contains(tasks) else { throw ValidationError("--tasks must be between 1 and 100000 (got \(tasks)).") }
        guard (1...10_000_000).contains(span) else { throw ValidationError("--span must be between 1 and 10000000 (got \(span)).") }
    }

    func run() throws {
        let ranges = PrimeRange.ranges(count: tasks, span: span)
        let sequentialStart = Terminal.now()
        let sequential = ranges.reduce(0) { $0 + $1.countPrimes() }
        let sequentialSeconds = Terminal.now() - sequentialStart

        let poolStart = Terminal.now()
        let counts: [Int]
        let workerCount: Int
        do {
            let pool = try ProcessPool(workers: workers) { (range: PrimeRange) in range.countPrimes() }
            workerCount = pool.workerCount
            counts = try pool.map(ranges, chunkSize: 1)
            pool.close()
            try pool.join()
        } catch {
            throw Terminal.fail("pool: \(error)")
        }
        let poolSeconds = Terminal.now() - poolStart
        let pooled = counts.reduce(0, +)
        guard pooled == sequential else {
            throw Terminal.fail("pool: results differ: \(sequential) primes sequentially, \(pooled) on the pool")
        }
        let speedup = sequentialSeconds / poolSeconds
        if json {
            Terminal.say(JSONValue.object([
                ("workers", .int(workerCount)),
                ("tasks", .int(tasks)),
                // Six decimals: a short run's times rounded to four would not give its speedup.
                ("sequential_s", .double(sequentialSeconds, decimals: 6)),
                ("pool_s", .double(poolSeconds, decimals: 6)),
                ("speedup", .double(speedup, decimals: 3)),
                ("result", .int(sequential)),
            ]).text)
        } else {
            Terminal.say("pool: primes in \(tasks) ranges of \(span) numbers, \(workerCount) workers")
            Terminal.say("sequential  \(sequentialSeconds.formatted(decimals: 3)) s")
            Terminal.say("pool        \(poolSeconds.formatted(decimals: 3)) s")
            Terminal.say("speedup     \(speedup.formatted(decimals: 2))x")
            Terminal.say("result      \(sequential) primes (sequential and pool agree)")
        }
    }
}
