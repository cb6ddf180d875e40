/// Why a connection that had to begin with a PROXY protocol header did not: each closes
/// the connection, is logged and is counted in the server's metrics under its
/// `reason`.
public enum ProxyHeaderFailure: Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The first bytes are not a PROXY header of either version (a client that came
    /// straight to the server, not through the balancer).
    case notProxyHeader
    /// It begins as a PROXY header but breaks the format: a bad address or port, a
    /// missing field, a lone CR or LF, an unknown version or command, an address block
    /// shorter than its family needs.
    case malformed
    /// A v1 line without CRLF in its first 107 bytes, or a v2 header whose stated length
    /// is past `ProxyHeader.maximumBinaryLength`.
    case tooLong
    /// A family or transport the server does not serve: a v1 protocol other than TCP4,
    /// TCP6 and UNKNOWN; v2 datagrams, or a family or transport the specification does
    /// not define.
    case unsupportedFamily
    /// The peer closed or reset the connection before the header ended.
    case closed
    /// The header did not arrive whole within the time limit (a stalled or trickling peer).
    case timedOut

    /// The metrics' label value (`NAME_proxy_header_failures_total{reason="..."}`) and the
    /// JSON log's `reason` field.
    public var reason: String {
        switch self {
        case .notProxyHeader: "not_proxy"
        case .malformed: "malformed"
        case .tooLong: "too_long"
        case .unsupportedFamily: "unsupported_family"
        case .closed: "closed"
        case .timedOut: "timeout"
        }
    }

    /// What went wrong, as the log line says it.
    public var description: String {
        switch self {
        case .notProxyHeader: "not a PROXY protocol header"
        case .malformed: "malformed PROXY header"
        case .tooLong: "PROXY header too long"
        case .unsupportedFamily: "PROXY header of an unsupported family"
        case .closed: "closed before the end of the PROXY header"
        case .timedOut: "no whole PROXY header in time"
        }
    }
}
