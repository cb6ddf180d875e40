import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// LISTEN_FDS and LISTEN_PID, as systemd passes sockets. Each case runs in a forked
    /// child, whose environment, pid and descriptor 3 are its own; the exit code says
    /// which check failed.
    @Suite struct SocketActivationTests {
        /// Runs `body` in a child with `socket` (a pipe end, a listener...) at fd 3 and the
        /// variables set; the child exits with the code `body` returns.
        private func runInChild(fd3 makeDescriptor: @escaping () throws -> Int32, listenPID: String?, listenFDs: String?,
                                _ body: @escaping (SocketActivation.Outcome?, ProcessError?) -> Int32) throws -> Int32? {
            let child = ChildProcess(threadPolicy: .allow) {
                let descriptor = try makeDescriptor()
                guard dup2(descriptor, 3) == 3 else { throw ChildProcess.Exit(90) }
                setenv("LISTEN_FDNAMES", "web", 1)
                if let listenFDs { setenv("LISTEN_FDS", listenFDs, 1) }
                if let listenPID { setenv("LISTEN_PID", listenPID == "self" ? String(getpid()) : listenPID, 1) }
                var outcome: SocketActivation.Outcome?
                var failure: ProcessError?
                do throws(ProcessError) { outcome = try SocketActivation.takeListeners() } catch { failure = error }
                for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] where getenv(name) != nil {
                    throw ChildProcess.Exit(91)
                }
                throw ChildProcess.Exit(body(outcome, failure))
            }
            try child.start()
            defer { stop(child) }
            finish(child)
            return child.exitCode
        }

        @Test func aPassedListenerIsServedAndCloseOnExec() throws {
            let code = try runInChild(fd3: { try SocketListener(address: .tcp(host: "127.0.0.1", port: 0)).releaseRawDescriptor() }, listenPID: "self", listenFDs: "1") { outcome, failure in
                guard failure == nil, case .listeners(let listeners)? = outcome, listeners.count == 1 else { return 10 }
                let listener = listeners[0]
                guard listener.rawDescriptor == 3, listener.address.host == "127.0.0.1", listener.port > 0 else { return 11 }
                guard fcntl(3, F_GETFD) & FD_CLOEXEC != 0 else { return 12 }
                var client: Int32 = -1
                guard pc_tcp_connect("127.0.0.1", Int32(listener.port), 2000, &client) == 0 else { return 13 }
                guard (try? listener.accept()) != nil else { return 14 }
                return 0
            }
            #expect(code == 0)
        }

        @Test func variablesMeantForAnotherProcessAreIgnoredAndRemoved() throws {
            let code = try runInChild(fd3: { try SocketListener(address: .tcp(host: "127.0.0.1", port: 0)).releaseRawDescriptor() }, listenPID: "1", listenFDs: "1") { outcome, failure in
                guard failure == nil, case .meantForAnotherProcess(let pid)? = outcome, pid == "1" else { return 20 }
                return 0
            }
            #expect(code == 0)
        }

        @Test func noVariablesMeansNotActivated() throws {
            let code = try runInChild(fd3: { try SocketListener(address: .tcp(host: "127.0.0.1", port: 0)).releaseRawDescriptor() }, listenPID: nil, listenFDs: nil) { outcome, failure in
                guard failure == nil, case .notActivated? = outcome else { return 30 }
                return 0
            }
            #expect(code == 0)
        }

        @Test("malformed variables are a typed error, never a trap", arguments: [
            ("self", "abc"), ("self", "-1"), ("self", "0"), ("self", "99999999999999999999"), ("abc", "1"), (nil, "1"),
        ] as [(String?, String)])
        func malformedVariables(listenPID: String?, listenFDs: String) throws {
            let code = try runInChild(fd3: { try SocketListener(address: .tcp(host: "127.0.0.1", port: 0)).releaseRawDescriptor() }, listenPID: listenPID, listenFDs: listenFDs) { outcome, failure in
                guard outcome == nil, failure?.code == .invalidEnvironment else { return 40 }
                return 0
            }
            #expect(code == 0)
        }

        @Test func aDescriptorThatIsNotAListeningSocketIsRefused() throws {
            let code = try runInChild(fd3: { try makePipe().0 }, listenPID: "self", listenFDs: "1") { outcome, failure in
                guard outcome == nil, failure?.errno == .notSocket else { return 50 }
                return 0
            }
            #expect(code == 0)
            let connected = try runInChild(fd3: {
                var fd: Int32 = -1
                let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
                guard pc_tcp_connect("127.0.0.1", Int32(listener.port), 2000, &fd) == 0 else { throw ChildProcess.Exit(92) }
                return fd
            }, listenPID: "self", listenFDs: "1") { outcome, failure in
                guard outcome == nil, failure?.errno == .invalidArgument else { return 51 }
                return 0
            }
            #expect(connected == 0)
        }
    }
}
