import CProcShim
import ProcTestSupport
import Testing

import Glibc

extension ShimTests {
    /// pc_tcp_listen, pc_accept, pc_tcp_connect and the socket options, on 127.0.0.1.
    @Suite struct SocketTests {
        /// A listener on an ephemeral port of 127.0.0.1: (descriptor, port).
        private func listener(backlog: Int32 = 16) throws -> (Int32, Int32) {
            var fd: Int32 = -1
            var port: Int32 = 0
            try #require(pc_tcp_listen("127.0.0.1", 0, backlog, &fd, &port) == 0)
            return (fd, port)
        }

        /// A connection on 127.0.0.1, both ends: (client, server). The listener is closed.
        private func connectedPair() throws -> (Int32, Int32) {
            let (listenFD, port) = try listener()
            defer { _ = pc_close(listenFD) }
            var client: Int32 = -1
            try #require(pc_tcp_connect("127.0.0.1", port, 1_000, &client) == 0)
            var server: Int32 = -1
            let rc = pc_accept(listenFD, 0, &server, nil, 0, nil)
            if rc != 0 { _ = pc_close(client) }
            try #require(rc == 0)
            return (client, server)
        }

        /// The "address:port" a socket is bound to, as getsockname sees it.
        private func localPort(of fd: Int32) -> Int32 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let rc = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return rc == 0 ? Int32(UInt16(bigEndian: address.sin_port)) : -1
        }

        @Test func listenOnEphemeralPortReturnsTheBoundPort() throws {
            let (fd, port) = try listener()
            defer { _ = pc_close(fd) }
            #expect(port > 0 && port < 65536)
            #expect(localPort(of: fd) == port)
            #expect(isCloseOnExec(fd))
            var reuse: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            #expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &length) == 0)
            #expect(reuse != 0)
        }

        @Test func listenOnIPv6Loopback() throws {
            var fd: Int32 = -1
            var port: Int32 = 0
            let rc = pc_tcp_listen("::1", 0, 4, &fd, &port)
            // A machine without IPv6 loopback answers EADDRNOTAVAIL (or EAFNOSUPPORT).
            if rc == 0 {
                defer { _ = pc_close(fd) }
                #expect(port > 0)
                var client: Int32 = -1
                try #require(pc_tcp_connect("::1", port, 1_000, &client) == 0)
                defer { _ = pc_close(client) }
                var server: Int32 = -1
                var host = [CChar](repeating: 0, count: Int(PC_HOST_TEXT_MAX))
                var peerPort: Int32 = 0
                try #require(pc_accept(fd, 0, &server, &host, host.count, &peerPort) == 0)
                defer { _ = pc_close(server) }
                #expect(host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } == "::1")
                #expect(peerPort > 0)
            } else {
                #expect(rc == EADDRNOTAVAIL || rc == EAFNOSUPPORT)
            }
        }

        @Test func listenOnATakenPortIsEADDRINUSE() throws {
            let (fd, port) = try listener()
            defer { _ = pc_close(fd) }
            var second: Int32 = -1
            var secondPort: Int32 = 0
            let rc = pc_tcp_listen("127.0.0.1", port, 4, &second, &secondPort)
            if rc == 0 { _ = pc_close(second) }
            #expect(rc == EADDRINUSE)
            #expect(second == -1, "out-parameters are written only on success")
        }

        @Test(arguments: ["localhost", "", "256.1.1.1", "example.com", "127.0.0.1:80"])
        func listenOnANonAddressHostIsEINVAL(host: String) {
            var fd: Int32 = -1
            var port: Int32 = 0
            let rc = pc_tcp_listen(host, 0, 4, &fd, &port)
            if rc == 0 { _ = pc_close(fd) }
            #expect(rc == EINVAL)
        }

        @Test(arguments: [-1, 65536, 100_000])
        func listenOnAnOutOfRangePortIsEINVAL(port: Int32) {
            var fd: Int32 = -1
            var bound: Int32 = 0
            let rc = pc_tcp_listen("127.0.0.1", port, 4, &fd, &bound)
            if rc == 0 { _ = pc_close(fd) }
            #expect(rc == EINVAL)
        }

        @Test(arguments: [-1, 2_000])
        func connectAcceptAndExchangeBytes(timeoutMs: Int32) throws {
            let (listenFD, port) = try listener()
            defer { _ = pc_close(listenFD) }
            var client: Int32 = -1
            try #require(pc_tcp_connect("127.0.0.1", port, timeoutMs, &client) == 0)
            defer { _ = pc_close(client) }
            #expect(isCloseOnExec(client))
            // A timed connect makes the socket non-blocking for a while: it must be blocking again.
            #expect(fcntl(client, F_GETFL) & O_NONBLOCK == 0)
            var nodelay: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            #expect(getsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &nodelay, &length) == 0)
            #expect(nodelay != 0)

            var server: Int32 = -1
            var host = [CChar](repeating: 0, count: Int(PC_HOST_TEXT_MAX))
            var peerPort: Int32 = 0
            try #require(pc_accept(listenFD, 0, &server, &host, host.count, &peerPort) == 0)
            defer { _ = pc_close(server) }
            #expect(isCloseOnExec(server))
            #expect(host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } == "127.0.0.1")
            #expect(peerPort == localPort(of: client))

            let message = Array("ping".utf8)
            #expect(pc_write_all(client, message, message.count) == 0)
            var received = [UInt8](repeating: 0, count: 4)
            var count = 0
            #expect(pc_read_full(server, &received, 4, &count) == 0)
            #expect(count == 4 && received == message)
        }

        @Test func acceptWithoutPeerBufferWorks() throws {
            let (listenFD, port) = try listener()
            defer { _ = pc_close(listenFD) }
            var client: Int32 = -1
            try #require(pc_tcp_connect("127.0.0.1", port, 1_000, &client) == 0)
            defer { _ = pc_close(client) }
            var server: Int32 = -1
            #expect(pc_accept(listenFD, 0, &server, nil, 0, nil) == 0)
            if server >= 0 { _ = pc_close(server) }
        }

        @Test func acceptOnNonBlockingListenerWithNoConnectionIsEAGAIN() throws {
            let (listenFD, _) = try listener()
            defer { _ = pc_close(listenFD) }
            #expect(pc_set_nonblocking(listenFD, true) == 0)
            #expect(fcntl(listenFD, F_GETFL) & O_NONBLOCK != 0)
            var server: Int32 = -1
            let rc = pc_accept(listenFD, 0, &server, nil, 0, nil)
            #expect(rc == EAGAIN || rc == EWOULDBLOCK)
            #expect(pc_set_nonblocking(listenFD, false) == 0)
            #expect(fcntl(listenFD, F_GETFL) & O_NONBLOCK == 0)
        }

        @Test func acceptOnNonSocketFails() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            var server: Int32 = -1
            #expect(pc_accept(readEnd, 0, &server, nil, 0, nil) == ENOTSOCK)
        }

        @Test(arguments: [-1, 2_000])
        func connectToAClosedPortIsECONNREFUSED(timeoutMs: Int32) throws {
            // Take an ephemeral port and give it back: nothing listens there now.
            let (fd, port) = try listener()
            _ = pc_close(fd)
            var client: Int32 = -1
            let rc = pc_tcp_connect("127.0.0.1", port, timeoutMs, &client)
            if rc == 0 { _ = pc_close(client) }
            #expect(rc == ECONNREFUSED)
        }

        @Test func connectToANonAddressHostIsEINVAL() {
            var client: Int32 = -1
            #expect(pc_tcp_connect("localhost", 80, 1_000, &client) == EINVAL)
            #expect(pc_tcp_connect("127.0.0.1", 70_000, 1_000, &client) == EINVAL)
        }

        @Test func shutdownWriteGivesThePeerEndOfFile() throws {
            let (client, server) = try connectedPair()
            defer { _ = pc_close(client) }
            defer { _ = pc_close(server) }
            let message = Array("last words".utf8)
            #expect(pc_write_all(client, message, message.count) == 0)
            #expect(pc_shutdown_write(client) == 0)
            var buffer = [UInt8](repeating: 0, count: 64)
            var count = 0
            // Fewer bytes than asked: pc_read_full stops at the end of file.
            #expect(pc_read_full(server, &buffer, buffer.count, &count) == 0)
            #expect(count == message.count)
            #expect(Array(buffer[0..<count]) == message)
            #expect(pc_read(server, &buffer, buffer.count, &count) == 0)
            #expect(count == 0)
        }

        @Test func readTimeoutGivesEAGAIN() throws {
            let (client, server) = try connectedPair()
            defer { _ = pc_close(client) }
            defer { _ = pc_close(server) }
            #expect(pc_socket_set_timeout(server, 50) == 0)
            var byte: UInt8 = 0
            var count = 0
            let rc = pc_read(server, &byte, 1, &count)
            #expect(rc == EAGAIN || rc == EWOULDBLOCK)
            #expect(pc_socket_set_timeout(server, 0) == 0)
        }

        @Test func resetOnCloseMakesThePeerSeeECONNRESET() throws {
            let (client, server) = try connectedPair()
            defer { _ = pc_close(client) }
            #expect(pc_socket_set_reset_on_close(server) == 0)
            _ = pc_close(server)
            var revents: Int16 = 0
            #expect(pc_poll_one(client, Int16(POLLIN), 5_000, &revents) == 0)
            var byte: UInt8 = 0
            var count = 0
            #expect(pc_read(client, &byte, 1, &count) == ECONNRESET)
        }

        @Test func connectToAFullListenerTimesOut() throws {
            // With its accept queue full, the kernel drops further SYNs: a timed connect
            // then runs out. The first connections fill the queue; one must time out.
            let (listenFD, port) = try listener(backlog: 0)
            defer { _ = pc_close(listenFD) }
            var clients: [Int32] = []
            defer { clients.forEach { _ = pc_close($0) } }
            var result: Int32 = 0
            for _ in 0..<8 {
                var client: Int32 = -1
                result = pc_tcp_connect("127.0.0.1", port, 200, &client)
                if result != 0 { break }
                clients.append(client)
            }
            #expect(result == ETIMEDOUT)
            #expect(clients.count >= 1)
        }

        @Test func sendTimeoutBoundsAWriteThatCannotFinish() throws {
            let (client, server) = try connectedPair()
            defer { _ = pc_close(client) }
            defer { _ = pc_close(server) }
            // Nobody reads from `server`: 64 MiB cannot fit in the socket buffers.
            #expect(pc_socket_set_timeout(client, 100) == 0)
            let big = [UInt8](repeating: 0, count: 64 << 20)
            let rc = pc_write_all(client, big, big.count)
            #expect(rc == EAGAIN || rc == EWOULDBLOCK)
        }

        @Test func socketOptionsOnABadDescriptorAreEBADF() {
            #expect(pc_socket_set_timeout(-1, 10) == EBADF)
            #expect(pc_set_nonblocking(-1, true) == EBADF)
            #expect(pc_shutdown_write(-1) == EBADF)
            #expect(pc_socket_set_reset_on_close(-1) == EBADF)
        }
    }
}
