/// A numeric IPv4 or IPv6 address and a port to listen on (0: the kernel's choice).
public struct ListenAddress: Sendable, Hashable {
    /// The numeric address.
    public var host: String
    /// The port; 0 asks for an ephemeral one.
    public var port: Int

    /// `host`:`port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
