// TEMPORARY: the engine branch's API as agreed, until `git merge engine`; deleted then.
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

public struct Peer: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
    public var description: String { "\(host):\(port)" }
}
public typealias ConnectionHandler = (TCPConnection, Peer) throws -> Void
public struct PreforkOptions: Sendable {
    public var workers: Int
    public var maxWorkers: Int
    public var maxRequests: Int?
    public var maxRequestsJitter: Int
    public var workerTimeout: Duration?
    public var extraWorkerIdleTimeout: Duration = .seconds(10)
    public var workerStartup: (@Sendable () throws -> Void)? = nil
    public init(workers: Int) { self.workers = workers; maxWorkers = workers; maxRequests = nil; maxRequestsJitter = 0; workerTimeout = nil }
}
public enum ServerModel: Sendable { case forkPerConnection(maxChildren: Int); case prefork(PreforkOptions) }
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1", port = 8080, backlog = 128
    public var idleTimeout: Duration? = .seconds(300)
    public var grace: Duration = .seconds(10)
    public var quiet = false
    public var model: ServerModel = .forkPerConnection(maxChildren: 256)
}
public struct ServerSummary: Sendable {
    public var connectionsServed: Int
    public var childrenKilled: Int
    public var haltReason: String? = nil
    public init(connectionsServed: Int = 0, childrenKilled: Int = 0) { self.connectionsServed = connectionsServed; self.childrenKilled = childrenKilled }
}
final class ConnectionService {
    let handler: ConnectionHandler
    init(handler: @escaping ConnectionHandler) { self.handler = handler }
    func serve(_ connection: TCPConnection, peer: Peer) -> Int32 {
        defer { connection.close() }
        do { try handler(connection, peer); return 0 } catch { return 1 }
    }
}
final class ServerLog {
    func line(_ build: (inout String) -> Void) { var s = ""; build(&s); Self.writeUnbuffered(s) }
    func flush() {}
    func now(_ line: String) { Self.writeUnbuffered(line) }
    static func writeUnbuffered(_ line: String) { _ = try? FileDescriptor.standardError.writeAll((line + "\n").utf8) }
}
extension Duration {
    var secondsText: String { "\(Double(components.seconds) + Double(components.attoseconds) / 1e18)" }
}
