import CProcShim
import ProcTestSupport

import Glibc

/// A test's connection to 127.0.0.1 (or a Unix socket): every read and write is bounded by a timeout.
///
/// A class whose `close()` may be called more than once (a `defer` and an explicit close in
/// one test): closing a descriptor number twice could close another test's descriptor
/// that reused the number meanwhile, since tests run in parallel in one process.
final class TestConnection {
    private(set) var fd: Int32

    /// Connects to 127.0.0.1:`port`; reads and writes then give up after `timeoutMs`.
    init(port: Int, timeoutMs: Int32 = 10_000) throws {
        var descriptor: Int32 = -1
        let result = pc_tcp_connect("127.0.0.1", Int32(port), 5000, &descriptor)
        guard result == 0 else { throw ConnectError(errno: result) }
        fd = descriptor
        _ = pc_socket_set_timeout(fd, timeoutMs)
    }

    /// Connects to the Unix stream socket at `unixPath`; reads and writes then give up after `timeoutMs`.
    init(unixPath: String, timeoutMs: Int32 = 10_000) throws {
        var descriptor: Int32 = -1
        let result = pc_unix_connect(unixPath, &descriptor)
        guard result == 0 else { throw ConnectError(errno: result) }
        fd = descriptor
        _ = pc_socket_set_timeout(fd, timeoutMs)
    }

    /// Wraps a socket the test accepted itself.
    init(adopting fd: Int32, timeoutMs: Int32 = 10_000) {
        self.fd = fd
        _ = pc_socket_set_timeout(fd, timeoutMs)
    }

    /// The local port of a TCP connection, as getsockname sees it; nil for a Unix socket.
    var localPort: Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 && address.sin_family == sa_family_t(AF_INET) ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// A failed connect, with its errno (ECONNREFUSED when nothing listens).
    struct ConnectError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "connect: \(String(cString: strerror(errno)))" }
    }

    func send(_ bytes: [UInt8]) throws {
        let result = bytes.withUnsafeBytes { pc_write_all(fd, $0.baseAddress, $0.count) }
        if result != 0 { throw HarnessError("send: \(String(cString: strerror(result)))") }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Reads exactly `count` bytes (fewer only if the server closes first).
    func receive(count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        let result = bytes.withUnsafeMutableBytes { pc_read_full(fd, $0.baseAddress, $0.count, &received) }
        if result != 0 { throw HarnessError("receive: \(String(cString: strerror(result)))") }
        return Array(bytes[0..<received])
    }

    /// Sends `text` and returns the reply of the same length, as text.
    func roundTrip(_ text: String) throws -> String {
        try send(text)
        return String(decoding: try receive(count: text.utf8.count), as: UTF8.self)
    }

    /// Whether bytes (or the end of the stream) arrive within `timeoutMs`.
    func hasInput(withinMs timeoutMs: Int32) -> Bool {
        var revents: Int16 = 0
        return pc_poll_one(fd, Int16(POLLIN), timeoutMs, &revents) == 0 && revents != 0
    }

    /// Waits up to `timeoutMs` for the server to close the connection: true at end of
    /// stream or reset, false when bytes arrive or time runs out first.
    func waitForClose(timeoutMs: Int32) -> Bool {
        guard hasInput(withinMs: timeoutMs) else { return false }
        var byte: UInt8 = 0
        var count = 0
        let result = pc_read(fd, &byte, 1, &count)
        return result == ECONNRESET || (result == 0 && count == 0)
    }

    /// Streams `payload` and reads the reply at the same time (so that neither side's
    /// buffers fill up and block), half-closes once everything is sent, and returns
    /// every byte received until the server closes; bounded by `timeout` seconds.
    func stream(_ payload: [UInt8], timeout: Double) throws -> [UInt8] {
        _ = pc_set_nonblocking(fd, true)
        defer { _ = pc_set_nonblocking(fd, false) }
        var received: [UInt8] = []
        received.reserveCapacity(payload.count)
        var sent = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        let deadline = TestClock.now() + timeout
        if payload.isEmpty { _ = pc_shutdown_write(fd) }
        while TestClock.now() < deadline {
            var pollSet = [pollfd(fd: fd, events: Int16(sent < payload.count ? POLLIN | POLLOUT : POLLIN), revents: 0)]
            var ready: Int32 = 0
            _ = pc_poll(&pollSet, 1, 100, &ready)
            if pollSet[0].revents & Int16(POLLOUT) != 0 && sent < payload.count {
                let written = payload.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, min(65536, payload.count - sent), Int32(MSG_NOSIGNAL)) }
                if written > 0 {
                    sent += written
                    if sent == payload.count { _ = pc_shutdown_write(fd) }
                } else if written < 0 && errno != EAGAIN && errno != EINTR {
                    throw HarnessError("send: \(String(cString: strerror(errno)))")
                }
            }
            if pollSet[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count == 0 { return received }
                if count > 0 {
                    received += chunk[0..<count]
                } else if errno != EAGAIN && errno != EINTR {
                    throw HarnessError("read: \(String(cString: strerror(errno))) after \(received.count) bytes")
                }
            }
        }
        throw HarnessError("stream timed out: sent \(sent) of \(payload.count), received \(received.count)")
    }

    /// Half-closes: the server reads end of stream.
    func shutdownWrite() {
        _ = pc_shutdown_write(fd)
    }

    /// Closes the connection with a reset (RST) instead of an orderly close.
    func reset() {
        _ = pc_socket_set_reset_on_close(fd)
        close()
    }

    func close() {
        if fd >= 0 { _ = pc_close(fd) }
        fd = -1
    }

    deinit {
        close()
    }
}
