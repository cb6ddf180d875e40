import CProcShim

import Glibc

/// The listening sockets passed to this process the systemd way: `LISTEN_PID` names this
/// process and `LISTEN_FDS` counts descriptors from 3 on, as systemd's socket activation,
/// `systemd-socket-activate` and a server handing its listener to its upgraded binary do.
public enum SocketActivation {
    /// What the environment said.
    public enum Outcome: Sendable {
        /// No socket was passed: `LISTEN_FDS` is not set.
        case notActivated
        /// The variables name another process (they were inherited): no socket was taken.
        case meantForAnotherProcess(pid: String)
        /// The passed sockets, from descriptor 3 on.
        case listeners([SocketListener])
    }

    /// The variables that pass listening sockets, which `takeListeners` removes.
    static let variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    /// Takes the passed listening sockets and removes `LISTEN_PID`, `LISTEN_FDS` and
    /// `LISTEN_FDNAMES` from the environment in every case, so that children and the
    /// programs they run do not see them (as `sd_listen_fds(1)` does).
    ///
    /// Throws `.invalidEnvironment` for a `LISTEN_FDS` or `LISTEN_PID` that is not a
    /// number in range, and the adoption's error for a descriptor that is not a listening
    /// TCP or Unix stream socket: a server should refuse to start then rather than bind a port of its own.
    public static func takeListeners() throws(ProcessError) -> Outcome {
        let count = Environment.value("LISTEN_FDS")
        let pid = Environment.value("LISTEN_PID")
        defer {
            for name in variables { Environment.remove(name) }
        }
        guard let count else { return .notActivated }
        guard let pid else {
            throw ProcessError(.invalidEnvironment, operation: "LISTEN_FDS is set but LISTEN_PID is not")
        }
        guard let listenPID = Int32(pid), listenPID > 0 else {
            throw ProcessError(.invalidEnvironment, operation: "LISTEN_PID='\(pid)' is not a process id")
        }
        guard listenPID == getpid() else { return .meantForAnotherProcess(pid: pid) }
        guard let fdCount = Int32(count), (1...1024).contains(fdCount) else {
            throw ProcessError(.invalidEnvironment, operation: "LISTEN_FDS='\(count)' is not a count of descriptors from 1 to 1024")
        }
        var listeners: [SocketListener] = []
        for descriptor in PC_LISTEN_FDS_START..<(PC_LISTEN_FDS_START + fdCount) {
            listeners.append(try SocketListener(adopting: descriptor))
        }
        return .listeners(listeners)
    }
}
