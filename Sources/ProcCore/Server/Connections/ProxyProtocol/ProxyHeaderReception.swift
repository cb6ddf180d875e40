/// What a server with the PROXY protocol on does before serving a connection: reads its
/// header (`ProxyHeaderReader`) and, when there is none to be had, counts and logs the
/// failure (`ProxyHeaderFailures`) so that the connection is closed unserved.
struct ProxyHeaderReception {
    let reader: ProxyHeaderReader
    let failures: ProxyHeaderFailures

    /// The header at the start of `connection`, from `peer`; nil once a failure is
    /// counted and logged (the caller closes the connection).
    func receive(on connection: borrowing SocketConnection, from peer: SocketAddress, log: ServerLog) -> ProxyHeader? {
        switch reader.read(from: connection) {
        case .success(let header):
            return header
        case .failure(let failure):
            failures.record(failure, from: peer, log: log)
            return nil
        }
    }
}
