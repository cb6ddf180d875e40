import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// Python's `multiprocessing.connection` on one side, ProcCore's `Listener`/`Client` on
/// the other: the authkey handshake (3.11's HMAC-MD5 or 3.12's `{sha256}`, whichever the
/// interpreter speaks) and `send_bytes`/`recv_bytes` both ways, over TCP and Unix sockets.
@Suite(.enabled(if: PythonProcess.isAvailable, "python3 is not installed: nothing to interoperate with"))
struct ListenerInteropTests {
    static let key = "s3cret-key"

    /// A Python Listener: prints its port or path, accepts one connection, reverses the
    /// bytes it receives, sends them back with a "!", then waits for the client to close.
    /// A rejected key prints "AuthenticationError".
    static let pythonListener = """
        import sys
        from multiprocessing import AuthenticationError
        from multiprocessing.connection import Listener
        spec, key = sys.argv[1], sys.argv[2].encode()
        address = ('127.0.0.1', 0) if spec == 'tcp' else spec
        with Listener(address, authkey=key) as listener:
            print(listener.address[1] if spec == 'tcp' else listener.address, flush=True)
            try:
                connection = listener.accept()
            except AuthenticationError:
                print('AuthenticationError', flush=True)
                sys.exit(0)
            data = connection.recv_bytes()
            connection.send_bytes(data[::-1] + b'!')
            print('served', flush=True)
            try:
                connection.recv_bytes()
            except EOFError:
                pass
        """

    /// A Python Client: connects, sends a greeting, prints what comes back. A rejected key
    /// prints "AuthenticationError".
    static let pythonClient = """
        import sys
        from multiprocessing import AuthenticationError
        from multiprocessing.connection import Client
        spec, key = sys.argv[1], sys.argv[2].encode()
        address = ('127.0.0.1', int(spec)) if spec.isdigit() else spec
        try:
            connection = Client(address, authkey=key)
        except AuthenticationError:
            print('AuthenticationError', flush=True)
            sys.exit(0)
        connection.send_bytes(b'ping from python')
        print(connection.recv_bytes().decode(), flush=True)
        """

    static func address(printed line: String) -> SocketAddress {
        if let port = Int(line) { return .tcp(host: "127.0.0.1", port: port) }
        return .unix(path: line)
    }

    /// "tcp", or a fresh Unix socket path in /tmp.
    static func addressSpec(_ kind: String) -> String {
        kind == "tcp" ? "tcp" : "/tmp/procctl-interop-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
    }

    @Test(arguments: PythonProcess.interpreters, ["tcp", "unix"])
    func swiftClientTalksToPythonListener(python: String, kind: String) throws {
        let server = try PythonProcess(python, script: Self.pythonListener, arguments: [Self.addressSpec(kind), Self.key])
        defer { server.stop() }
        let printed = try #require(server.readLine(), "the Python Listener printed no address")
        let connection = try Client.connect(to: Self.address(printed: printed), authkey: Array(Self.key.utf8), timeout: .seconds(20))
        try connection.sendBytes(Array("hello from swift".utf8))
        #expect(try connection.poll(timeout: .seconds(20)))
        #expect(String(decoding: try connection.receiveBytes(), as: UTF8.self) == "tfiws morf olleh!")
        #expect(server.readLine() == "served")
        connection.close()
        #expect(server.exitCode() == 0)
    }

    @Test(arguments: PythonProcess.interpreters)
    func swiftClientWithAWrongKeyIsRejectedByPython(python: String) throws {
        let server = try PythonProcess(python, script: Self.pythonListener, arguments: ["tcp", Self.key])
        defer { server.stop() }
        let printed = try #require(server.readLine())
        let error = processError {
            _ = try Client.connect(to: Self.address(printed: printed), authkey: Array("wrong".utf8), timeout: .seconds(20))
        }
        #expect(error?.code == .authenticationFailed)
        #expect(server.readLine() == "AuthenticationError", "Python's accept raises AuthenticationError")
        #expect(server.exitCode() == 0)
    }

    @Test(arguments: PythonProcess.interpreters, ["tcp", "unix"])
    func pythonClientTalksToSwiftListener(python: String, kind: String) throws {
        let spec = Self.addressSpec(kind)
        let listener = try Listener(address: kind == "tcp" ? .tcp(host: "127.0.0.1", port: 0) : .unix(path: spec), authkey: Array(Self.key.utf8), handshakeTimeout: .seconds(20))
        defer { listener.close() }
        let target = switch listener.address {
        case .tcp(_, let port): String(port)
        case .unix(let path): path
        }
        let client = try PythonProcess(python, script: Self.pythonClient, arguments: [target, Self.key])
        defer { client.stop() }
        #expect(try waitForConnection(on: listener), "the Python Client did not connect")
        let connection = try listener.accept()
        #expect(try connection.poll(timeout: .seconds(20)))
        #expect(String(decoding: try connection.receiveBytes(), as: UTF8.self) == "ping from python")
        try connection.sendBytes(Array("pong from swift".utf8))
        #expect(client.readLine() == "pong from swift")
        #expect(client.exitCode() == 0)
        if kind == "unix" {
            listener.close()
            #expect(access(spec, F_OK) != 0, "closing the Listener removes its socket file, as Python's does")
        }
    }

    @Test(arguments: PythonProcess.interpreters)
    func pythonClientWithAWrongKeyIsRejectedAndTheListenerServesOn(python: String) throws {
        let listener = try Listener(authkey: Array(Self.key.utf8), handshakeTimeout: .seconds(20))
        defer { listener.close() }
        guard case .tcp(_, let port) = listener.address else { Issue.record("not TCP"); return }
        let intruder = try PythonProcess(python, script: Self.pythonClient, arguments: [String(port), "wrong"])
        defer { intruder.stop() }
        #expect(try waitForConnection(on: listener))
        let error = processError { _ = try listener.accept() }
        #expect(error?.code == .authenticationFailed)
        #expect(intruder.readLine() == "AuthenticationError", "Python's Client raises AuthenticationError")

        let friend = try PythonProcess(python, script: Self.pythonClient, arguments: [String(port), Self.key])
        defer { friend.stop() }
        #expect(try waitForConnection(on: listener))
        let connection = try listener.accept()
        #expect(try connection.poll(timeout: .seconds(20)))
        #expect(try connection.receiveBytes() == Array("ping from python".utf8))
        try connection.sendBytes(Array("welcome".utf8))
        #expect(friend.readLine() == "welcome")
    }
}

/// Whether a connection waits on `listener` within 20 s, so that `accept()` does not block
/// a test for ever when the peer never came.
func waitForConnection(on listener: Listener) throws -> Bool {
    var revents: Int16 = 0
    let result = pc_poll_one(listener.rawDescriptor, Int16(POLLIN), 20_000, &revents)
    return result == 0 && revents != 0
}
