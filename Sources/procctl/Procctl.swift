import ArgumentParser

/// procctl: Python's multiprocessing.Process and the fork-per-connection server, in Swift.
@main
struct Procctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procctl",
        abstract: "Child processes with Python's Process semantics, and a forking echo server.",
        version: Procctl.version,
        subcommands: [Spawn.self, Isolation.self, Run.self, Serve.self, Client.self, Load.self, Bench.self]
            + [Pool.self]
    )

    /// What `procctl --version` prints.
    static let version = "0.5.0"
}
