/// What `ProxyHeaderParser.parse` makes of a connection's first bytes.
public enum ProxyHeaderScan: Sendable, Hashable {
    /// Every byte so far belongs to a header that has not ended: read more (they can be
    /// taken off the socket without taking any of the client's data).
    case incomplete
    /// A whole header, in the first `header.length` bytes; any byte after them is the client's.
    case header(ProxyHeader)
    /// Not a valid header, whatever follows.
    case failure(ProxyHeaderFailure)
}
