import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// `SocketListener` on a Unix stream socket: the peer, its credentials, adoption, abstract
/// names and the socket file's removal.
@Suite struct UnixListenerTests {
    /// Accepts one connection and returns its peer (nil: none was waiting).
    private static func acceptedPeer(_ listener: SocketListener) throws -> SocketAddress? {
        guard let accepted = try listener.acceptWithPeer() else { return nil }
        return accepted.peer
    }

    @Test func acceptsWithAnEmptyPeerAndTheClientsCredentials() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/listener.sock"
        let listener = try SocketListener(address: .unix(path: path), backlog: 4)
        defer { listener.close() }
        #expect(listener.address == .unix(path: path))
        #expect(listener.port == 0)
        let client = try SocketConnection(connectingTo: .unix(path: path), timeout: .seconds(5))
        guard let accepted = try listener.acceptWithPeer() else {
            Issue.record("nothing to accept")
            return
        }
        #expect(accepted.peer == SocketAddress.unix(path: ""))
        let credentials = try accepted.connection.peerCredentials()
        #expect(credentials == PeerCredentials(processID: getpid(), userID: geteuid(), groupID: getegid()))
        #expect(try accepted.connection.localAddress() == .unix(path: path))
        try client.writeAll(Array("ping".utf8))
        var buffer = [UInt8](repeating: 0, count: 4)
        let count = try buffer.withUnsafeMutableBytes { bytes throws(ProcessError) in try accepted.connection.readFully(into: bytes) }
        #expect(count == 4 && buffer == Array("ping".utf8))
    }

    @Test func aTCPConnectionHasNoPeerCredentials() throws {
        let listener = try SocketListener(address: .tcp(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let client = try SocketConnection(connectingTo: listener.address, timeout: .seconds(5))
        #expect(throws: ProcessError.self) { try client.peerCredentials() }
    }

    @Test func anAdoptedUnixListenerKnowsItsPath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/adopted.sock"
        var fd: Int32 = -1
        try #require(pc_unix_listen(path, 4, &fd) == 0)
        let listener = try SocketListener(adopting: fd)
        defer { listener.close() }
        #expect(listener.address == .unix(path: path))
        let client = try SocketConnection(connectingTo: .unix(path: path), timeout: .seconds(5))
        _ = client
        let peer = try Self.acceptedPeer(listener)
        #expect(peer == SocketAddress.unix(path: ""))
    }

    @Test func anAbstractNameHasNoFileAndIsRefusedWhileTaken() throws {
        let name = "@procctl-unix-listener-test-\(getpid())"
        let listener = try SocketListener(address: .unix(path: name))
        defer { listener.close() }
        #expect(throws: ProcessError.systemCall("listen on \(name)", EADDRINUSE)) { try SocketListener(address: .unix(path: name)) }
        let client = try SocketConnection(connectingTo: .unix(path: name), timeout: .seconds(5))
        _ = client
        let peer = try Self.acceptedPeer(listener)
        #expect(peer == SocketAddress.unix(path: ""))
        let adopted = try SocketListener(adopting: dup(listener.rawDescriptor))
        defer { adopted.close() }
        #expect(adopted.address == .unix(path: name))
    }

    @Test func theSocketFileIsRemovedOnlyWhileItIsStillThisListeners() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/removed.sock"
        let first = try SocketListener(address: .unix(path: path))
        first.close()
        #expect(access(path, F_OK) == 0, "closing removed the file: a forked child's close would too")
        // The file is stale now: a new listener replaces it, and the first one's removal leaves it alone.
        let second = try SocketListener(address: .unix(path: path), unixSocketMode: 0o600)
        defer { second.close() }
        first.removeSocketFile()
        #expect(access(path, F_OK) == 0, "the first listener removed the second one's file")
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        second.removeSocketFile()
        #expect(access(path, F_OK) != 0)
    }

    @Test func permissionBitsOutOfRangeAreInvalid() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/mode.sock"
        #expect(throws: ProcessError.systemCall("listen on \(path)", EINVAL)) { try SocketListener(address: .unix(path: path), unixSocketMode: 0o1777) }
        #expect(access(path, F_OK) != 0)
    }
}
