import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// `Server` started as systemd starts a service: on sockets the test passes
    /// (LISTEN_FDS, LISTEN_PID), telling a notification socket the test binds how it is
    /// doing (NOTIFY_SOCKET, WATCHDOG_USEC).
    @Suite struct ServerSystemdTests {
        /// Replies to one line with the line and whether the child sees LISTEN_FDS or LISTEN_PID.
        private static func reportEnvironment(_ connection: borrowing SocketConnection, _ peer: SocketAddress) throws {
            var lines = LineReader(connection)
            let line = try lines.next() ?? ""
            let seen = getenv("LISTEN_FDS") != nil || getenv("LISTEN_PID") != nil
            try connection.writeAll(Array("\(line) listen-variables=\(seen)\n".utf8))
        }

        private static func configuration(port: Int = 0, model: ServerModel = .forkPerConnection(maxChildren: 8)) -> ServerConfiguration {
            ServerConfiguration(address: .tcp(host: "127.0.0.1", port: port), idleTimeout: .seconds(10), grace: .seconds(1), quiet: true, model: model)
        }

        @Test(arguments: [ServerModel.forkPerConnection(maxChildren: 8), .prefork(PreforkOptions(workers: 2))])
        func servesOnThePassedSocketAndHidesTheVariables(model: ServerModel) throws {
            let passed = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            defer { passed.close() }
            // Configured on the passed socket's own port: binding it would fail (EADDRINUSE).
            let server = try SystemdServerProcess(passing: [passed], configuration: Self.configuration(port: passed.port, model: model),
                                                  handler: Self.reportEnvironment)
            defer { server.stop() }
            #expect(server.port == passed.port)
            for index in 0..<3 {
                #expect(try server.ask("hello \(index)") == "hello \(index) listen-variables=false")
            }
        }

        @Test func severalPassedSocketsServeTheFirstAndCloseTheOthers() throws {
            let first = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            let second = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            defer { first.close() }
            let server = try SystemdServerProcess(passing: [first, second], configuration: Self.configuration(), handler: Self.reportEnvironment)
            defer { server.stop() }
            #expect(server.port == first.port)
            #expect(try server.ask("one") == "one listen-variables=false")
            #expect(server.log.contains("2 sockets passed (LISTEN_FDS); serving the first, 127.0.0.1:\(first.port), and closing 127.0.0.1:\(second.port)"))
            // Once the test closes its copy, nobody holds the second socket: refused.
            second.close()
            #expect(throws: ProcessError.self) {
                _ = try SocketConnection(connectingTo: .tcp(host: "127.0.0.1", port: second.port), timeout: .seconds(5))
            }
        }

        @Test func aListenPIDOfAnotherProcessIsLoggedAndTheServerBinds() throws {
            let passed = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            defer { passed.close() }
            let server = try SystemdServerProcess(passing: [passed], listenPID: "1", configuration: Self.configuration(), handler: Self.reportEnvironment)
            defer { server.stop() }
            #expect(server.port != passed.port)
            #expect(try server.ask("bound") == "bound listen-variables=false")
            #expect(server.log.contains("LISTEN_PID=1 names another process"))
        }

        @Test(arguments: [false, true])
        func notifiesReadyStatusWatchdogAndStopping(prefork: Bool) throws {
            let socket = try NotifySocket(abstract: prefork)
            let model: ServerModel = prefork ? .prefork(PreforkOptions(workers: 2)) : .forkPerConnection(maxChildren: 8)
            let server = try SystemdServerProcess(
                environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "200000"],
                configuration: Self.configuration(model: model), handler: Self.reportEnvironment)
            defer { server.stop() }
            let pid = server.process.pid ?? 0
            let ready = socket.receive(until: { $0.contains { $0.hasPrefix("READY=1") } }, within: 10)
            #expect(ready.last?.split(separator: "\n").contains("MAINPID=\(pid)") == true, "\(ready)")
            #expect(ready.last?.contains("STATUS=serving on 127.0.0.1:\(server.port)") == true, "\(ready)")
            // WATCHDOG_USEC 0.2 s: one at least every 0.1 s, from a master that waits in poll.
            let watchdogs = socket.receive(until: { $0.filter { $0 == "WATCHDOG=1" }.count >= 4 }, within: 5)
            #expect(watchdogs.filter { $0 == "WATCHDOG=1" }.count >= 4)
            #expect(try server.ask("counted") == "counted listen-variables=false")
            // The STATUS= line a person reads: refreshed every 2 s when it changed.
            let status = socket.receive(until: { $0.contains { $0.contains("1 served") } }, within: 10)
            let statusLine = status.first { $0.contains("1 served") } ?? ""
            #expect(statusLine.contains("STATUS=serving: "), "\(status.filter { $0.hasPrefix("STATUS") })")
            if prefork { #expect(statusLine.contains("2 workers (0 busy)"), "\(statusLine)") }
            // SIGHUP: RELOADING=1 with the monotonic clock, then READY=1 once the new
            // generation serves.
            try server.process.send(signal: .terminalClosed)
            let reload = socket.receive(until: { $0.contains { $0.hasPrefix("READY=1") } }, within: 10)
            let reloading = reload.first { $0.hasPrefix("RELOADING=1") } ?? ""
            #expect(reloading.contains("\nMONOTONIC_USEC="), "\(reload)")
            let stamp = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst(15)) }
            #expect(stamp.map { $0 <= pc_monotonic_ns() / 1000 } == true)
            #expect(reload.firstIndex { $0.hasPrefix("RELOADING=1") }! < reload.firstIndex { $0.hasPrefix("READY=1") }!)
            #expect(try server.ask("reloaded") == "reloaded listen-variables=false")
            try server.process.terminate()
            let stopping = socket.receive(until: { $0.contains { $0.hasPrefix("STOPPING=1") } }, within: 10)
            #expect(stopping.contains { $0.hasPrefix("STOPPING=1") })
            finish(server.process)
            #expect(server.process.exitCode == 0)
        }

        @Test func aNotifySocketThatDoesNotExistIsLoggedOnceAndTheServerServes() throws {
            let server = try SystemdServerProcess(
                environment: ["NOTIFY_SOCKET": "/tmp/procctl-no-such-socket-\(getpid())", "WATCHDOG_USEC": "100000"],
                configuration: Self.configuration(), handler: Self.reportEnvironment)
            defer { server.stop() }
            for index in 0..<3 {
                #expect(try server.ask("still \(index)") == "still \(index) listen-variables=false")
            }
            let lines = server.log.split(separator: "\n").filter { $0.contains("cannot notify the service manager") }
            #expect(lines.count == 1, "\(server.log)")
            #expect(lines.first?.contains("No such file or directory") == true, "\(lines)")
        }

        @Test func twoServersShareAPortWithReusePort() throws {
            var configuration = Self.configuration()
            configuration.reusePort = true
            let first = try SystemdServerProcess(configuration: configuration, handler: Self.reportEnvironment)
            defer { first.stop() }
            configuration.address = .tcp(host: "127.0.0.1", port: first.port)
            let second = try SystemdServerProcess(configuration: configuration, handler: Self.reportEnvironment)
            defer { second.stop() }
            #expect(second.port == first.port)
            for index in 0..<6 {
                #expect(try first.ask("shared \(index)") == "shared \(index) listen-variables=false")
            }
            configuration.reusePort = false
            #expect {
                _ = try Server(configuration: configuration) { _, _ in }
            } throws: { error in
                (error as? ServerError)?.code == .cannotListen && (error as? ServerError)?.errno == .addressInUse
            }
        }
    }
}
