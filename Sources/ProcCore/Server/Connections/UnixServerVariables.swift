import Glibc

/// The environment of a program that serves a Unix socket connection, as ucspi-unix's
/// unixserver sets it (its PROTOCOL file): `PROTO=UNIX`; `UNIXLOCALPATH`, the socket's
/// path; `UNIXLOCALUID` and `UNIXLOCALGID`, the server's user and group; and from
/// SO_PEERCRED, the client's `UNIXREMOTEPID`, `UNIXREMOTEEUID` and `UNIXREMOTEEGID`.
/// `UNIXLOCALPID` is not set: the program's own pid is its `$$`, and the process that
/// accepted differs between the models.
enum UnixServerVariables {
    /// The variables it sets, which a program never inherits from the server's environment.
    static let names = ["UNIXLOCALPATH", "UNIXLOCALUID", "UNIXLOCALGID", "UNIXLOCALPID", "UNIXREMOTEPID", "UNIXREMOTEEUID", "UNIXREMOTEEGID"]

    /// Replaces tcpserver's variables in `variables` by unixserver's for `connection`,
    /// accepted on the Unix socket `local`. The peer's variables are left out when the
    /// kernel cannot tell who it is.
    static func replaceTCPVariables(in variables: inout [String: String], for connection: borrowing SocketConnection, at local: SocketAddress) {
        for name in ProgramSpawner.connectionVariables { variables[name] = nil }
        variables["PROTO"] = "UNIX"
        variables["UNIXLOCALPATH"] = local.description
        variables["UNIXLOCALUID"] = String(getuid())
        variables["UNIXLOCALGID"] = String(getgid())
        if let peer = try? connection.peerCredentials() {
            variables["UNIXREMOTEPID"] = String(peer.processID)
            variables["UNIXREMOTEEUID"] = String(peer.userID)
            variables["UNIXREMOTEEGID"] = String(peer.groupID)
        }
    }
}
