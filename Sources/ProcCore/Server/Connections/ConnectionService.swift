import SystemPackage

import Glibc

/// Serves one accepted connection in the process that holds it (a forked child, a
/// prefork worker): the PROXY protocol header when the server expects one, the idle
/// timeout, then the closure handler or the program.
///
/// It never throws: what went wrong is logged through `ServerLog.fromAnyProcess` (a
/// child cannot use the parent's gathered log) and becomes the exit code.
final class ConnectionService {
    /// What serves a connection.
    enum Work {
        /// A closure, run in this process.
        case handler(ConnectionHandler)
        /// A program, spawned with stdin and stdout on the socket (see `ProgramSpawner`).
        case program(ProgramSpawner)
    }

    let work: Work
    /// How long a read or write may wait; nil waits for ever.
    let idleTimeout: Duration?
    /// The server's log, in its format; its `quiet` leaves out the line about an idle connection.
    let log: ServerLog
    /// With the PROXY protocol on: the header read first, its failures counted; nil: off.
    let proxyHeaders: ProxyHeaderReception?

    /// Serves with `work`; with `proxyHeaderFailures`, every connection must begin with
    /// a PROXY header, read within `ProxyHeaderReader.defaultTimeLimit` or the idle
    /// timeout when that is shorter.
    init(work: Work, idleTimeout: Duration?, log: ServerLog, proxyHeaderFailures: ProxyHeaderFailures? = nil) {
        self.work = work
        self.idleTimeout = idleTimeout
        self.log = log
        proxyHeaders = proxyHeaderFailures.map {
            ProxyHeaderReception(reader: ProxyHeaderReader(timeLimit: idleTimeout.map { min($0, ProxyHeaderReader.defaultTimeLimit) } ?? ProxyHeaderReader.defaultTimeLimit), failures: $0)
        }
    }

    /// Serves `connection` to its end, closes it (the connection goes away with the call),
    /// and returns an exit code: 0 when the handler returned or the peer closed, reset or
    /// idled out; N for a handler's `ChildProcess.Exit(N)` or the program's exit code
    /// (128+N for signal N); 1 for any other failure (logged). A program joins the calling
    /// process's group when `programJoinsGroup` (a prefork worker, which leads one), and
    /// starts one of its own otherwise.
    ///
    /// With the PROXY protocol on, the header is read first and its source becomes the
    /// peer (the handler's, the program's TCPREMOTEIP) and its destination the program's
    /// TCPLOCALIP; without a valid header the connection is closed (counted and logged)
    /// and 0 returned. `logsConnection`: the `connection` log line, which the master could
    /// not write without the header's peer, is written here.
    func serve(_ connection: consuming SocketConnection, peer: SocketAddress, programJoinsGroup: Bool = false, logsConnection: Bool = false) -> Int32 {
        var peer = peer
        var local: SocketAddress?
        if let proxyHeaders {
            guard let header = proxyHeaders.receive(on: connection, from: peer, log: log) else { return 0 }
            let balancer = peer
            if case .proxied(let source, let destination) = header.endpoints {
                peer = source
                local = destination
            }
            if logsConnection && !log.quiet {
                log.fromAnyProcess(ServerEvent(
                    "connection", .info, "connection from \(peer) via \(balancer): child \(getpid())",
                    ["peer": .string("\(peer)"), "pid": .pid(getpid()), "proxy": .string("\(balancer)")]))
            }
        }
        switch work {
        case .handler(let handler):
            do {
                try connection.setTimeout(idleTimeout)
                try handler(connection, peer)
                return 0
            } catch let exit as ChildProcess.Exit {
                return exit.code
            } catch let error as ProcessError {
                return ending(error)
            } catch {
                return failure(error)
            }
        case .program(let spawner):
            do {
                let child = try spawner.start(on: connection, peer: peer, local: local, idleTimeout: idleTimeout, joiningGroup: programJoinsGroup)
                try child.join()
                let code = child.exitCode ?? 1
                return code >= 0 ? code : 128 - code
            } catch {
                return failure(error)
            }
        }
    }

    private func ending(_ error: ProcessError) -> Int32 {
        switch error.errno {
        case .resourceTemporarilyUnavailable?:
            // SO_RCVTIMEO or SO_SNDTIMEO ran out: the peer neither sent nor read.
            if !log.quiet, let idleTimeout {
                log.fromAnyProcess(ServerEvent(
                    "connection_idle", .info, "child \(getpid()): connection idle for \(idleTimeout.secondsText) s, closed",
                    ["pid": .pid(getpid()), "idle_timeout_s": .seconds(idleTimeout)]))
            }
            return 0
        case .connectionReset?, .brokenPipe?, .timedOut?:
            // The peer went away: its business, not an error of the server.
            return 0
        default:
            return failure(error)
        }
    }

    private func failure(_ error: any Error) -> Int32 {
        log.fromAnyProcess(ServerEvent("connection_failed", .error, "child \(getpid()): \(error)", ["pid": .pid(getpid()), "error": .string("\(error)")]))
        return 1
    }
}
