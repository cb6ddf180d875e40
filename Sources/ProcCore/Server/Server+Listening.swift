import Glibc

extension Server {
    /// The socket passed the systemd way when `LISTEN_FDS` and `LISTEN_PID` name this
    /// process (systemd's socket activation, `systemd-socket-activate`, a binary upgrade),
    /// or nil: the server binds as its configuration says. The variables are removed in
    /// every case, before a program's environment is read or any child forked, so that
    /// none of them sees them.
    ///
    /// Several passed sockets: the first is served and the others are closed, with a log
    /// line. Every model serves one listener (prefork's workers block in accept on it,
    /// which is what makes their wake-up wake-one and FIFO), so a unit should pass one.
    /// Variables that name another process (inherited from a parent that was activated)
    /// are ignored with a log line, and the server binds. A malformed `LISTEN_FDS` or
    /// `LISTEN_PID`, or a passed descriptor that is not a listening TCP or Unix socket, throws:
    /// the server should refuse to start rather than serve a port nobody asked for.
    static func passedListener(for configuration: ServerConfiguration, log: ServerLog) throws(ProcessError) -> SocketListener? {
        switch try SocketActivation.takeListeners() {
        case .listeners(let passed):
            if passed.count > 1 {
                let ignored = passed.dropFirst().map { "\($0.address)" }.joined(separator: ", ")
                log.now(ServerEvent(
                    "sockets_passed", .warning,
                    "\(log.prefix)\(passed.count) sockets passed (LISTEN_FDS); serving the first, \(passed[0].address), and closing \(ignored)",
                    ["count": .int(passed.count), "serving": .string("\(passed[0].address)"), "closed": .string(ignored)]))
                for extra in passed.dropFirst() { extra.close() }
            }
            return passed[0]
        case .meantForAnotherProcess(let pid):
            log.now(ServerEvent(
                "listen_pid_mismatch", .warning,
                "\(log.prefix)LISTEN_PID=\(pid) names another process (this is \(getpid())); ignoring LISTEN_FDS and listening on \(configuration.address)",
                ["listen_pid": .string(pid), "pid": .pid(getpid())]))
            return nil
        case .notActivated:
            return nil
        }
    }
}
