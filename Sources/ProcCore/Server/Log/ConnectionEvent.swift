import Glibc

/// `connection`: a connection accepted and the child that serves it (fork per connection).
/// Rendered from its values alone: this is the parent's per-connection path.
struct ConnectionEvent: ServerLogEvent {
    let peer: SocketAddress
    let pid: pid_t

    var name: StaticString { "connection" }
    var level: ServerLogLevel { .info }

    func writeMessage(to line: inout LogLineWriter) {
        line.append("connection from ")
        line.append(peer)
        line.append(": child ")
        line.append(pid)
    }

    func writeFields(to line: inout LogLineWriter) {
        line.field("peer", peer)
        line.field("pid", pid)
    }
}
