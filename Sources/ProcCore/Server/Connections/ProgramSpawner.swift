import SystemPackage

/// Starts a server's program for one connection, as ucspi-tcp's tcpserver does: stdin
/// and stdout on the socket, stderr the server's, and the server's environment with
/// `PROTO=TCP`, `TCPREMOTEIP`, `TCPREMOTEPORT`, `TCPLOCALIP` and `TCPLOCALPORT` set,
/// `TCPREMOTEHOST`, `TCPREMOTEINFO` and `TCPLOCALHOST` removed (tcpserver `-H -R` with no
/// local name: no DNS or ident lookup is made, so a stale value must not pass for one),
/// and the service manager's variables removed (`serverOnlyVariables`).
///
/// It goes through `ChildProcess(executing:)`, so posix_spawn in C: no Swift code runs
/// between the fork and the exec, and the spawning process needs no fork of its own.
struct ProgramSpawner {
    /// Variables that speak to the server alone and never reach a program: the service
    /// manager's (a program could otherwise send READY=1 or STOPPING=1 as the server, or
    /// take the server's watchdog for its own) and the sockets passed to the server.
    /// (With the server's upgrade variable, `ServerIdentity.readyVariable`.)
    static let serverOnlyVariables = SocketActivation.variables + ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]
    /// tcpserver's variables, which describe one connection: each is set for the
    /// connection or removed, never inherited.
    static let connectionVariables = [
        "PROTO", "TCPREMOTEIP", "TCPREMOTEPORT", "TCPLOCALIP", "TCPLOCALPORT", "TCPREMOTEHOST", "TCPREMOTEINFO", "TCPLOCALHOST",
    ] + UnixServerVariables.names

    /// The program, its executable resolved at the server's start.
    let program: Program
    /// The server's environment (or the program's own, when it has one), read once at
    /// start (before `Server` takes the passed sockets' variables out of its own),
    /// without the server's own variables and tcpserver's.
    let environment: [String: String]

    /// `program`, its executable resolved now, with an environment without the server's
    /// variables, `upgradeVariable` (the server's ready pipe) included, and tcpserver's.
    init(program: Program, withholding upgradeVariable: String) throws(ProcessError) {
        self.program = try program.resolvingExecutable()
        let withheld = Set(Self.serverOnlyVariables + [upgradeVariable] + Self.connectionVariables)
        self.environment = (program.environment ?? ProcessEnvironment.current()).filter { !withheld.contains($0.key) }
    }

    /// Spawns the program on `connection` with the idle timeout set on the socket (a read
    /// or write of the program that waits longer fails with EAGAIN). TCPREMOTEIP and
    /// TCPREMOTEPORT are `peer`'s; TCPLOCALIP and TCPLOCALPORT are `local`'s (the address
    /// a PROXY header says the client connected to), or the socket's own when nil. The connection stays
    /// open here: the caller closes its copy once the program runs. The program starts a
    /// process group of its own, or, `joiningGroup`, stays in the caller's (a prefork
    /// worker's, which is killed as one when the worker ends).
    func start(
        on connection: borrowing SocketConnection, peer: SocketAddress, local: SocketAddress? = nil, idleTimeout: Duration?, joiningGroup: Bool = false
    ) throws(ProcessError) -> ChildProcess {
        try connection.setTimeout(idleTimeout)
        let local = if let local { local } else { try connection.localAddress() }
        var run = program
        var variables = environment
        variables["PROTO"] = "TCP"
        variables["TCPREMOTEIP"] = peer.host ?? ""
        variables["TCPREMOTEPORT"] = String(peer.port ?? 0)
        variables["TCPLOCALIP"] = local.host ?? ""
        variables["TCPLOCALPORT"] = String(local.port ?? 0)
        if case .unix = local { UnixServerVariables.replaceTCPVariables(in: &variables, for: connection, at: local) }
        run.environment = variables
        run.standardInput = connection.descriptor
        run.standardOutput = connection.descriptor
        // Ctrl-C signals the terminal's whole group: the server decides when a
        // connection's program ends (after the grace), as it does for its forked children.
        // A prefork worker's group is not the terminal's.
        run.startsInNewProcessGroup = !joiningGroup
        let child = ChildProcess(name: "connection", executing: run)
        try child.start()
        return child
    }
}
