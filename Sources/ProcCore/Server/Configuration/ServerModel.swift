/// How a server's processes serve its connections.
public enum ServerModel: Sendable {
    /// The classic forking server: one child forked per connection, at most
    /// `maxChildren` at once (the next connections wait in the backlog).
    case forkPerConnection(maxChildren: Int)
    /// Workers forked once at start, each serving connections one at a time from the
    /// shared listener, supervised by the parent.
    case prefork(PreforkOptions)
}
