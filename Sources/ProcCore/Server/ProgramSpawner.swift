import SystemPackage

/// Starts a server's program for one connection, as ucspi-tcp's tcpserver does: stdin
/// and stdout on the socket, stderr the server's, and the server's environment with
/// `PROTO=TCP`, `TCPREMOTEIP`, `TCPREMOTEPORT`, `TCPLOCALIP` and `TCPLOCALPORT` added.
///
/// It goes through `ChildProcess(executing:)`, so posix_spawn in C: no Swift code runs
/// between the fork and the exec, and the spawning process needs no fork of its own.
struct ProgramSpawner {
    /// The program, its executable resolved at the server's start.
    let program: Program
    /// The server's environment, read once at start, without the variables a listener
    /// was passed with (read before `Server` takes them out of its own).
    let environment: [String: String]

    init(program: Program) throws(ProcessError) {
        self.program = try program.resolvingExecutable()
        self.environment = program.environment
            ?? ProcessEnvironment.current().filter { !UpgradeHandover.passingVariables.contains($0.key) }
    }

    /// Spawns the program on `connection` with the idle timeout set on the socket (a read
    /// or write of the program that waits longer fails with EAGAIN). The connection stays
    /// open here: the caller closes its copy once the program runs.
    func start(on connection: TCPConnection, peer: Peer, idleTimeout: Duration?) throws(ProcessError) -> ChildProcess {
        try connection.setTimeout(idleTimeout)
        let local = try connection.localAddress()
        var run = program
        var variables = environment
        variables["PROTO"] = "TCP"
        variables["TCPREMOTEIP"] = peer.host
        variables["TCPREMOTEPORT"] = String(peer.port)
        variables["TCPLOCALIP"] = local.host
        variables["TCPLOCALPORT"] = String(local.port)
        run.environment = variables
        run.standardInput = FileDescriptor(rawValue: connection.descriptor)
        run.standardOutput = FileDescriptor(rawValue: connection.descriptor)
        // Ctrl-C signals the terminal's whole group: the server decides when a
        // connection's program ends (after --grace), as it does for its forked children.
        run.startsInNewProcessGroup = true
        let child = ChildProcess(name: "connection", executing: run)
        try child.start()
        return child
    }
}
