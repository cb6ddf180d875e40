import ArgumentParser

/// procctl: Python's multiprocessing.Process and the fork-per-connection server, in Swift.
@main
struct Procctl: CommandWithExamples {
    static let configuration = CommandConfiguration(
        commandName: "procctl",
        abstract: "Child processes with Python's Process semantics, and a forking echo server.",
        version: Procctl.version,
        subcommands: [Spawn.self, Isolation.self, Run.self, Serve.self, Client.self, Load.self, Bench.self]
            + [Pool.self]
    )

    static let examples = [
        "procctl serve --port 8080                   # the forking echo server",
        "printf 'hello\\n' | procctl client           # HELLO, from that server",
        "procctl spawn --count 8 --sleep 1           # the seed's first example",
        "procctl serve --help                        # a command's options, then its examples",
    ]

    /// What `procctl --version` prints.
    static let version = "0.5.0"
}
