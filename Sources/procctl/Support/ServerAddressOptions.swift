import ArgumentParser
import ProcCore

/// The options that name the server a command talks to (`client`, `load`): `--unix PATH`,
/// or `--host` and `--port`, each with its default.
struct ServerAddressOptions: ParsableArguments {
    @Option(help: "The server's numeric IPv4 or IPv6 address (default: 127.0.0.1).")
    var host: String?

    @Option(parsing: .unconditional, help: "The server's port (default: 8080).")
    var port: Int?

    @Option(help: ArgumentHelp("The server's Unix stream socket, instead of TCP (not with --host or --port).", valueName: "path"))
    var unix: String?

    /// The server's address; a `ValidationError` naming the flags when they do not make one.
    var address: SocketAddress {
        get throws { try NumericAddress.address(host: host, port: port, unix: unix, ports: 1...65535) }
    }

    func validate() throws {
        _ = try address
    }
}
