import ArgumentParser

/// Benchmarks of what ProcCore costs, each measured beside the raw system calls it wraps.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure what ProcCore costs beside the raw system calls, in one run.",
        subcommands: [BenchSpawn.self]
            + [BenchIPC.self]
            + [BenchPool.self]
    )
}
