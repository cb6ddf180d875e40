import CProcShim

/// Connections to a `Listener`, as Python's `multiprocessing.connection.Client`: to a
/// ProcCore `Listener` or to a Python one (3.11 or 3.12 and later, whose challenges differ:
/// the answer follows whichever the listener sends; see `Listener`).
///
/// ```swift
/// let connection = try Client.connect(to: .tcp(host: "127.0.0.1", port: 6000), authkey: key)
/// try connection.sendBytes(Array("hello".utf8))
/// ```
public enum Client {
    /// Connects to `address` and, with an `authkey`, proves the key to the listener and has
    /// the listener prove it back (Python's `answer_challenge` then `deliver_challenge`).
    /// `timeout` bounds the connect and, apart, the handshake. Throws
    /// `.authenticationFailed` when either side rejects the other's key, `.timedOut` when
    /// the listener does not complete the handshake in time, and ECONNREFUSED
    /// (`.systemCall`) when nothing listens there. As in Python, a client given no key
    /// cannot tell a listener that wants one: its first message is the listener's
    /// challenge, and the listener drops it after its handshake timeout.
    public static func connect(to address: SocketAddress, authkey: [UInt8]? = nil, timeout: Duration = .seconds(20)) throws(ProcessError) -> Connection {
        if let authkey, authkey.isEmpty {
            throw ProcessError(.invalidArgument, operation: "connect to \(address): an empty authkey authenticates nothing; pass nil or a key")
        }
        let socket = try SocketConnection(connectingTo: address, timeout: timeout)
        // The timeout bounds the connect only: a Connection's reads wait as long as asked.
        try socket.setTimeout(nil)
        let fd = socket.releaseRawDescriptor()
        let connection = Connection(adopting: fd)
        if let authkey {
            let channel = HandshakeChannel(descriptor: fd, timeout: timeout)
            try AuthenticationHandshake.answerChallenge(on: channel, authkey: authkey)
            try AuthenticationHandshake.deliverChallenge(on: channel, authkey: authkey)
        }
        return connection
    }
}
