import CProcShim

import Glibc

/// A datagram socket the test binds, standing in for systemd's notification socket
/// (`NOTIFY_SOCKET`).
public final class NotifySocket {
    public let descriptor: Int32
    /// What `NOTIFY_SOCKET` would say: a path, or `@name` for the abstract namespace.
    public let name: String
    private let path: String?

    /// Binds a socket in the abstract namespace when `abstract`, else at a fresh path in /tmp.
    public init(abstract: Bool) throws {
        let unique = "procctl-notify-\(getpid())-\(pc_monotonic_ns())"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array((abstract ? "\0" + unique : "/tmp/" + unique).utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else {
            close(fd)
            throw HarnessError("bind: errno \(errno)")
        }
        descriptor = fd
        name = abstract ? "@" + unique : "/tmp/" + unique
        path = abstract ? nil : "/tmp/" + unique
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, waiting at most `seconds`; nil when none came.
    public func receive(within seconds: Double = 5) -> String? {
        var revents: Int16 = 0
        guard pc_poll_one(descriptor, Int16(POLLIN), Int32(seconds * 1000), &revents) == 0, revents != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return text(Array(buffer[0..<count]))
    }

    /// Datagrams that come within `seconds` until `done` says enough; every one received.
    public func receive(until done: ([String]) -> Bool, within seconds: Double) -> [String] {
        var received: [String] = []
        let deadline = TestClock.now() + seconds
        while !done(received) {
            let left = deadline - TestClock.now()
            guard left > 0, let message = receive(within: left) else { break }
            received.append(message)
        }
        return received
    }
}
