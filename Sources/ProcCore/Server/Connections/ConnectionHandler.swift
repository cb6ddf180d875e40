/// What serves one accepted connection, run in the forked child (fork per connection) or
/// in a worker (prefork), synchronously: it may block, and must not start threads or
/// async work (see `ChildProcess`).
///
/// Return when done, or throw: a `ProcessError` for a peer that went away (reset, broken
/// pipe) or idled out (EAGAIN after the idle timeout) ends the connection quietly,
/// `ChildProcess.Exit(N)` sets the child's exit code, and any other error is logged with
/// the child's pid. The handler borrows the connection: the server closes it afterwards.
public typealias ConnectionHandler = (borrowing SocketConnection, SocketAddress) throws -> Void
