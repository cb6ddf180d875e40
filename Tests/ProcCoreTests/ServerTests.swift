import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// `Server` with a closure handler, run in a forked child of the test (it installs its
    /// own SIGTERM handling) and talked to over 127.0.0.1.
    @Suite struct ServerTests {
        private struct HandlerFailure: Error, CustomStringConvertible {
            var description: String { "the handler gave up" }
        }

        /// Starts a server in a child with `handler`; returns the child, its port and the
        /// read end of its stderr.
        private func startServer(_ handler: @escaping ConnectionHandler) throws -> (ChildProcess, Int, Int32) {
            let (portRead, portWrite) = try makePipe()
            let (logRead, logWrite) = try makePipe()
            let serverProcess = ChildProcess(name: "server", threadPolicy: .allow) {
                _ = dup2(logWrite, STDERR_FILENO)
                let server = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0), grace: .seconds(1)), handler: handler)
                var port = Int32(server.port)
                _ = pc_write_all(portWrite, &port, MemoryLayout<Int32>.size)
                _ = server.run()
            }
            try serverProcess.start()
            _ = pc_close(portWrite)
            _ = pc_close(logWrite)
            defer { _ = pc_close(portRead) }
            let bytes = read(portRead, exactly: 4)
            guard bytes.count == 4 else {
                stop(serverProcess)
                throw HarnessError("the server sent no port")
            }
            return (serverProcess, Int(bytes.withUnsafeBytes { $0.load(as: Int32.self) }), logRead)
        }

        @Test func handlerGetsThePeerAndItsErrorsAndExitCodesAreLogged() throws {
            let (server, port, log) = try startServer { connection, peer in
                try connection.writeAll(Array("\(peer) \(getpid())\n".utf8))
                var lines = LineReader(connection)
                switch try lines.next() {
                case "exit 7": throw ChildProcess.Exit(7)
                case "fail": throw HandlerFailure()
                default: return
                }
            }
            defer { stop(server); _ = pc_close(log) }
            var childPIDs: [String] = []
            for command in ["exit 7", "fail", "done"] {
                let connection = try SocketConnection(connectingTo: .tcp(host: "127.0.0.1", port: port))
                try connection.setTimeout(.seconds(10))
                let local = try connection.localAddress()
                try connection.writeAll(Array("\(command)\n".utf8))
                var lines = LineReader(connection)
                let greeting = try #require(try lines.next()).split(separator: " ")
                #expect(greeting.first.map(String.init) == "127.0.0.1:\(local.port ?? 0)")
                childPIDs.append(String(greeting.last ?? ""))
                // The server closes the connection once the handler is done.
                #expect(try lines.next() == nil)
            }
            #expect(Set(childPIDs).count == 3, "one child per connection: \(childPIDs)")
            try server.terminate()
            finish(server)
            #expect(server.exitCode == 0)
            let text = text(drain(log))
            #expect(text.contains("child \(childPIDs[0]) exited with code 7"), "\(text)")
            #expect(text.contains("child \(childPIDs[1]): the handler gave up"), "\(text)")
            #expect(text.contains("child \(childPIDs[1]) exited with code 1"), "\(text)")
            #expect(text.contains("child \(childPIDs[2]) exited with code 0"), "\(text)")
        }

        @Test func portInUseThrowsBeforeServing() throws {
            let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            defer { listener.close() }
            let error = serverError {
                _ = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: listener.port))) { _, _ in }
            }
            #expect(error?.code == .cannotListen)
            #expect(error?.errno == .addressInUse)
            #expect(error?.operation == "listen on 127.0.0.1:\(listener.port)")
            #expect("\(error.map { "\($0)" } ?? "")" == "cannot listen on 127.0.0.1:\(listener.port): Address already in use")
        }

        @Test func missingProgramThrowsCannotExecute() {
            let error = serverError {
                _ = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0)), program: Program("no-such-program-procctl"))
            }
            #expect(error?.code == .cannotExecute)
            #expect(error?.errno == .noSuchFileOrDirectory)
        }

        @Test func aMetricsAddressInUseThrowsCannotServeMetrics() throws {
            let taken = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            defer { taken.close() }
            let error = serverError {
                _ = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0), metricsAddress: .tcp(host: "127.0.0.1", port: taken.port))) { _, _ in }
            }
            #expect(error?.code == .cannotServeMetrics)
            #expect(error?.errno == .addressInUse)
        }

        @Test func aPidFileInAMissingFolderThrowsCannotWritePidFile() {
            let error = serverError {
                _ = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0), pidFile: "/nonexistent-procctl-folder/server.pid")) { _, _ in }
            }
            #expect(error?.code == .cannotWritePidFile)
            #expect(error?.errno == .noSuchFileOrDirectory)
        }

        @Test func aValueOutOfRangeThrowsInvalidConfigurationNamingTheField() {
            var options = PreforkOptions(workers: 4)
            options.maxWorkers = 2
            let error = serverError {
                _ = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: 0), model: .prefork(options))) { _, _ in }
            }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.invalidValue == ServerConfiguration.InvalidValue(.maxWorkers, .atLeast(.workers), got: "2 < 4"))
            #expect(error?.invalidValue?.description == "maxWorkers must be at least workers (got 2 < 4)")
        }

        @Test func validateChecksEveryModelAndTheIdentity() {
            func invalid(_ configuration: ServerConfiguration) -> ServerConfiguration.InvalidValue.Field? {
                do {
                    try configuration.validate()
                    return nil
                } catch {
                    return error.field
                }
            }
            #expect(invalid(ServerConfiguration()) == nil)
            #expect(invalid(ServerConfiguration(backlog: 0)) == .backlog)
            #expect(invalid(ServerConfiguration(model: .forkPerConnection(maxChildren: 0))) == .maxChildren)
            #expect(invalid(ServerConfiguration(model: .prefork(PreforkOptions(workers: 0)))) == .workers)
            #expect(invalid(ServerConfiguration(identity: ServerIdentity(name: "my-server"))) == .identityName)
            #expect(invalid(ServerConfiguration(identity: ServerIdentity(name: "my_server2"))) == nil)
            #expect(invalid(ServerConfiguration(pidFile: "")) == .pidFile)
            #expect(invalid(ServerConfiguration(drainDelay: .seconds(-1))) == .drainDelay)
            #expect(invalid(ServerConfiguration(drainDelay: .seconds(5))) == nil)
        }

        @Test(arguments: ["127.0.0.1", "::1"])
        func acceptGivesThePeerAndTheLocalAddress(host: String) throws {
            let listener = try SocketListener(address: .tcp(host: host, port: 0))
            defer { listener.close() }
            let client = try SocketConnection(connectingTo: .tcp(host: host, port: listener.port))
            guard let accepted = try listener.acceptWithPeer() else {
                Issue.record("a blocking accept returned nothing")
                return
            }
            let clientEnd = try client.localAddress()
            #expect(accepted.peer == clientEnd)
            #expect(accepted.peer.host == host && (accepted.peer.port ?? 0) > 0)
            #expect(try accepted.connection.localAddress() == SocketAddress.tcp(host: host, port: listener.port))
        }

        @Test func peerDescriptionBracketsIPv6() {
            #expect(SocketAddress.tcp(host: "127.0.0.1", port: 5000).description == "127.0.0.1:5000")
            #expect(SocketAddress.tcp(host: "::1", port: 5000).description == "[::1]:5000")
        }
    }
}
