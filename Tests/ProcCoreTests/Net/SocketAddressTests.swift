import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// `SocketAddress`'s parsing and printing, and what the socket types do with it on
/// 127.0.0.1 and ::1: one connect path for TCP and Unix sockets, and descriptors that are
/// closed once.
@Suite struct SocketAddressTests {
    @Test("Parses what it prints", arguments: [
        ("127.0.0.1:8080", SocketAddress.tcp(host: "127.0.0.1", port: 8080)),
        ("[::1]:0", .tcp(host: "::1", port: 0)),
        ("[::ffff:127.0.0.1]:65535", .tcp(host: "::ffff:127.0.0.1", port: 65535)),
        ("/tmp/procctl.sock", .unix(path: "/tmp/procctl.sock")),
        ("./relative.sock", .unix(path: "./relative.sock")),
        ("@abstract", .unix(path: "@abstract")),
    ])
    func parsesWhatItPrints(text: String, address: SocketAddress) {
        #expect(SocketAddress(text) == address)
        #expect(address.description == text)
    }

    @Test("Refuses names, bare IPv6, bracketed IPv4 and bad ports", arguments: [
        "nope", "127.0.0.1", "127.0.0.1:70000", "127.0.0.1:-1", "localhost:9100", ":9100", "[::1]:x",
        "::1:80", "[127.0.0.1]:80", "[::1]", "@", "",
    ])
    func refuses(text: String) {
        #expect(SocketAddress(text) == nil)
    }

    @Test func hostAndPortAreThoseOfTCP() {
        #expect(SocketAddress.tcp(host: "::1", port: 80).host == "::1")
        #expect(SocketAddress.tcp(host: "::1", port: 80).port == 80)
        #expect(SocketAddress.unix(path: "/tmp/x").host == nil)
        #expect(SocketAddress.unix(path: "/tmp/x").port == nil)
    }

    @Test func aBadAddressIsEINVALBeforeAnySocket() {
        for address in [SocketAddress.tcp(host: "localhost", port: 80), .tcp(host: "127.0.0.1", port: 70_000), .unix(path: "")] {
            let error = processError { _ = try SocketConnection(connectingTo: address) }
            #expect(error?.errno == .invalidArgument, "\(address): \(String(describing: error))")
        }
        let long = SocketAddress.unix(path: "/tmp/" + String(repeating: "x", count: 200))
        #expect(processError { _ = try SocketConnection(connectingTo: long) }?.errno == .fileNameTooLong)
        #expect(processError { _ = try SocketListener(address: long) }?.errno == .fileNameTooLong)
        #expect(processError { _ = try SocketListener(address: .unix(path: "")) }?.errno == .invalidArgument)
    }

    @Test func nothingListeningIsRefusedAndNamesTheAddress() throws {
        let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
        let address = listener.address
        listener.close()
        let error = processError { _ = try SocketConnection(connectingTo: address, timeout: .seconds(5)) }
        #expect(error?.errno == .connectionRefused)
        #expect(error?.operation == "connect to \(address)")
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func connectsAndTheListenerNamesThePeer(host: String) throws {
        let listener = try SocketListener(address: .tcp(host: host, port: 0))
        #expect(listener.address.host == host && listener.port > 0)
        let client = try SocketConnection(connectingTo: listener.address, noDelay: true)
        guard let accepted = try listener.acceptWithPeer() else {
            Issue.record("a blocking accept returned nothing")
            return
        }
        #expect(accepted.peer == (try client.localAddress()))
        try client.writeAll(Array("ping".utf8))
        var reply = [UInt8](repeating: 0, count: 4)
        #expect(try reply.withUnsafeMutableBytes { try accepted.connection.readFully(into: $0) } == 4)
        #expect(reply == Array("ping".utf8))
    }

    @Test func aUnixSocketConnectsThroughTheSamePath() throws {
        let path = "/tmp/procctl-address-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
        let listener = try Listener(address: .unix(path: path))
        defer { listener.close() }
        let client = try SocketConnection(connectingTo: .unix(path: path), noDelay: true)
        let server = try listener.accept()
        try client.writeAll([0, 0, 0, 2, 0x68, 0x69])
        #expect(try server.receiveBytes() == Array("hi".utf8))
    }

    @Test func aListenerClosedTwiceClosesOnlyItsOwnDescriptor() throws {
        let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
        let number = listener.descriptor
        listener.close()
        // The number is free: the next descriptor opened may reuse it.
        let (readEnd, writeEnd) = try makePipe()
        defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
        listener.close()
        #expect(fcntl(readEnd, F_GETFD) >= 0 && fcntl(writeEnd, F_GETFD) >= 0, "descriptor \(number) reused and closed again")
    }

    @Test func aReleasedDescriptorOutlivesItsListener() throws {
        var descriptor: Int32 = -1
        do {
            let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
            descriptor = listener.releaseRawDescriptor()
        }
        defer { _ = pc_close(descriptor) }
        let adopted = try SocketListener(adopting: descriptor)
        #expect(adopted.port > 0)
        _ = adopted.releaseDescriptor()
    }
}
