/// What a server did between its start and its end, for a shutdown line.
public struct ServerSummary: Sendable {
    /// Connections accepted and handed to a child or worker.
    public var connectionsServed: Int
    /// Children or workers still serving at the end of the grace period, and killed.
    public var childrenKilled: Int
    /// Why the server stopped on its own (prefork: workers that cannot start), or nil
    /// when it stopped because it was told to.
    public var haltReason: String?

    /// A summary of `connectionsServed` connections and `childrenKilled` kills.
    public init(connectionsServed: Int = 0, childrenKilled: Int = 0) {
        self.connectionsServed = connectionsServed
        self.childrenKilled = childrenKilled
        self.haltReason = nil
    }
}
