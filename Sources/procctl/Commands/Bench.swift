import ArgumentParser

/// Benchmarks of what ProcCore costs, each measured beside the raw system calls it wraps.
struct Bench: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Measure what ProcCore costs beside the raw system calls, in one run.",
        subcommands: [BenchSpawn.self]
            + [BenchIPC.self]
            + [BenchPool.self]
    )

    static let examples = [
        "procctl bench spawn              # a child's life cycle, beside fork and posix_spawn",
        "procctl bench ipc --rounds 5     # messages and locks, beside raw pipes and socketpairs",
        "procctl bench pool --json        # pool tasks and fork-server children, one JSON object",
    ]
}
