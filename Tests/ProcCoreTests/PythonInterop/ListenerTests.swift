import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// ProcCore's `Listener` and `Client` on their own: what a bad peer costs (a typed error
/// for its connection, and nothing for the next one) and what is refused up front.
@Suite struct ListenerTests {
    static let key = Array("swift-key".utf8)

    /// A raw TCP peer that connects to `listener` and first writes `bytes` (before the
    /// listener has said anything), then stays connected until closed.
    static func rawPeer(to listener: Listener, writing bytes: [UInt8]) throws -> SocketConnection {
        guard case .tcp(let host, let port) = listener.address else { throw HarnessError("not TCP") }
        let peer = try SocketConnection(connectingTo: .tcp(host: host, port: port))
        if !bytes.isEmpty { try peer.writeAll(bytes) }
        return peer
    }

    /// A 4-byte big-endian frame header for `length`.
    static func header(_ length: UInt32) -> [UInt8] {
        [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
    }

    /// A forked child that connects with `key`, sends 21 as a typed value and exits 0 when
    /// the listener's typed reply is its double (a throw exits non-zero).
    static func swiftClient(to address: SocketAddress, key: [UInt8]?) -> ChildProcess {
        ChildProcess(threadPolicy: .allow) {
            let connection = try Client.connect(to: address, authkey: key, timeout: .seconds(20))
            try connection.send(21)
            guard try connection.receive(Int.self) == 42 else { throw HarnessError("not doubled") }
        }
    }

    /// Starts `swiftClient`, accepts its connection on `listener`, doubles the Int it sends
    /// and expects the client to have seen the double.
    static func expectTypedExchange(on listener: Listener, clientAddress: SocketAddress, key: [UInt8]?) throws {
        let client = swiftClient(to: clientAddress, key: key)
        try client.start()
        defer { stop(client) }
        #expect(try waitForConnection(on: listener))
        let connection = try listener.accept()
        #expect(try connection.poll(timeout: .seconds(20)))
        try connection.send(try connection.receive(Int.self) * 2)
        finish(client)
        #expect(client.exitCode == 0)
    }

    @Test(arguments: [
        ("garbage header", header(0xffff_fffe) + [1, 2, 3], ProcessError.Code.corruptMessage),
        ("over 256 bytes", header(257) + [UInt8](repeating: 7, count: 257), .messageTooLarge),
        ("a long-form header", header(0xffff_ffff) + [UInt8](repeating: 0, count: 8), .messageTooLarge),
        ("a wrong MD5 answer", header(16) + [UInt8](repeating: 0, count: 16), .authenticationFailed),
        ("a wrong SHA-256 answer", header(40) + Array("{sha256}".utf8) + [UInt8](repeating: 0, count: 32), .authenticationFailed),
        ("an unknown digest", header(20) + Array("{sha999}".utf8) + [UInt8](repeating: 0, count: 12), .authenticationFailed),
    ])
    func aBadPeerGetsATypedErrorAndTheListenerServesOn(what: String, bytes: [UInt8], code: ProcessError.Code) throws {
        let listener = try Listener(authkey: Self.key, handshakeTimeout: .seconds(20))
        defer { listener.close() }
        let peer = try Self.rawPeer(to: listener, writing: bytes)
        let error = processError { _ = try listener.accept() }
        #expect(error?.code == code, "\(what): \(String(describing: error))")

        try Self.expectTypedExchange(on: listener, clientAddress: listener.address, key: Self.key)
        peer.close()
    }

    @Test func aSilentPeerTimesOutAndAClosedOneEndsTheStream() throws {
        let listener = try Listener(authkey: Self.key, handshakeTimeout: .milliseconds(300))
        defer { listener.close() }
        let silent = try Self.rawPeer(to: listener, writing: [])
        #expect(processError { _ = try listener.accept() }?.code == .timedOut)
        silent.close()

        let gone = try Self.rawPeer(to: listener, writing: Self.header(16))
        gone.close()
        let error = processError { _ = try listener.accept() }
        #expect(error?.code == .endOfStream, "\(String(describing: error))")
    }

    @Test func swiftClientAndListenerExchangeTypedMessagesOverAUnixSocket() throws {
        let path = "/tmp/procctl-listener-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
        let listener = try Listener(address: .unix(path: path), authkey: Self.key)
        defer { listener.close() }
        try Self.expectTypedExchange(on: listener, clientAddress: .unix(path: path), key: Self.key)
    }

    @Test func aSwiftClientWithTheWrongKeyIsRejectedOnBothSides() throws {
        let listener = try Listener(authkey: Self.key, handshakeTimeout: .seconds(20))
        defer { listener.close() }
        let client = ChildProcess(threadPolicy: .allow) {
            do {
                _ = try Client.connect(to: listener.address, authkey: Array("other".utf8), timeout: .seconds(20))
            } catch let error as ProcessError where error.code == .authenticationFailed {
                return
            }
            throw HarnessError("accepted with the wrong key")
        }
        try client.start()
        defer { stop(client) }
        #expect(try waitForConnection(on: listener))
        #expect(processError { _ = try listener.accept() }?.code == .authenticationFailed)
        finish(client)
        #expect(client.exitCode == 0, "the client's error is .authenticationFailed")
    }

    @Test func listeningBeyondLoopbackWithoutAKeyIsRefused() {
        let error = processError { _ = try Listener(address: .tcp(host: "0.0.0.0", port: 0)) }
        #expect(error?.code == .authenticationRequired)
        #expect(error?.description.contains("authkey") == true)
        #expect(processError { _ = try Listener(address: .tcp(host: "::", port: 0)) }?.code == .authenticationRequired)
        #expect(processError { _ = try Listener(authkey: []) }?.code == .invalidArgument)
    }

    @Test func loopbackAddressesAreRecognised() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(SocketAddress.tcp(host: host, port: 1).isLoopback, "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "::2", "localhost"] {
            #expect(!SocketAddress.tcp(host: host, port: 1).isLoopback, "\(host)")
        }
        #expect(SocketAddress.unix(path: "/tmp/x.sock").isLoopback)
    }

    @Test func aListenerWithoutAKeyAcceptsPlainConnections() throws {
        let listener = try Listener()
        defer { listener.close() }
        try Self.expectTypedExchange(on: listener, clientAddress: listener.address, key: nil)
    }
}
