import SystemPackage

/// An external program to run in a child process: what to execute and the world it sees.
public struct Program: Sendable {
    /// A path, or a name to look up in PATH when it contains no slash.
    public var executable: String
    /// The arguments after the program's name (argv[1...]).
    public var arguments: [String]
    /// The whole environment of the child, or nil to inherit the parent's.
    public var environment: [String: String]?
    /// The working directory of the child, or nil for the parent's.
    public var workingDirectory: String?
    /// Descriptors to become the child's standard input, output and error; nil inherits.
    public var standardInput: FileDescriptor?
    /// See `standardInput`.
    public var standardOutput: FileDescriptor?
    /// See `standardInput`.
    public var standardError: FileDescriptor?
    /// Whether the child starts in a process group of its own, out of reach of the signals
    /// a terminal sends to this process's group (Ctrl-C's SIGINT, SIGQUIT, SIGHUP): for a
    /// child that this process, not the terminal, decides when to stop.
    public var startsInNewProcessGroup = false

    /// Describes `executable` run with `arguments`, inheriting everything else.
    public init(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String]? = nil,
        workingDirectory: String? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}
