import CProcShim

/// Two connected `Connection` ends, as Python's `multiprocessing.Pipe()`: made before a
/// fork, so that parent and child each keep one.
///
/// ```swift
/// let pipe = try Pipe()
/// let child = ChildProcess {
///     let job = try pipe.second.receive(String.self)
///     try pipe.second.send(job.uppercased())
/// }
/// try child.start()
/// try pipe.first.send("hello")
/// print(try pipe.first.receive(String.self))   // HELLO
/// ```
public struct Pipe {
    /// One end. For a one-way pipe, the end that receives.
    public let first: Connection
    /// The other end. For a one-way pipe, the end that sends.
    public let second: Connection

    /// A pair of connected ends: with `duplex` (the default) both ends send and receive
    /// (a socketpair); without it, `first` only receives and `second` only sends (a pipe).
    public init(duplex: Bool = true) throws(ProcessError) {
        var fds: [Int32] = [-1, -1]
        if duplex {
            try check("socketpair", pc_socketpair(&fds))
            first = Connection(adopting: fds[0])
            second = Connection(adopting: fds[1])
        } else {
            try check("pipe2", pc_pipe(&fds))
            first = Connection(adopting: fds[0], readable: true, writable: false)
            second = Connection(adopting: fds[1], readable: false, writable: true)
        }
    }
}
