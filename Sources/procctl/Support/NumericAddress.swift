import ArgumentParser
import ProcCore

/// The checks of the `--host` and `--port` options that `serve`, `client` and `load` take
/// (or `--unix` instead of them), worded with the options' names; what a numeric address
/// is, ProcCore's `SocketAddress` decides.
enum NumericAddress {
    /// The host when `--host` is not given.
    static let defaultHost = "127.0.0.1"
    /// The port when `--port` is not given.
    static let defaultPort = 8080

    /// The address the options name: the Unix socket `unix`, or TCP on `host` and `port`
    /// (`defaultHost` and `defaultPort` for those not given, `port` in `ports`). A usage
    /// error for `--unix` with `--host` or `--port`, or an empty path.
    static func address(host: String?, port: Int?, unix: String?, ports: ClosedRange<Int>) throws -> SocketAddress {
        guard let unix else {
            let address = SocketAddress.tcp(host: host ?? defaultHost, port: port ?? defaultPort)
            try validate(host: host ?? defaultHost, port: port ?? defaultPort, ports: ports)
            return address
        }
        guard host == nil && port == nil else {
            throw ValidationError("--unix is instead of TCP: give either --unix PATH or --host/--port, not both.")
        }
        guard !unix.isEmpty else { throw ValidationError("--unix must be a path (got '').") }
        return .unix(path: unix)
    }

    /// Checks `--host` (a numeric address) and `--port` (in `ports`: 0...65535 where 0
    /// asks for an ephemeral port).
    static func validate(host: String, port: Int, ports: ClosedRange<Int>) throws {
        guard SocketAddress.isNumericHost(host) else {
            throw ValidationError("--host must be a numeric IPv4 or IPv6 address, such as 127.0.0.1 or ::1 (got '\(host)').")
        }
        guard ports.contains(port) else {
            throw ValidationError("--port must be between \(ports.lowerBound) and \(ports.upperBound) (got \(port)).")
        }
    }

    /// `text` as a TCP address, `HOST:PORT` or `[v6]:PORT`, for an option named `option`
    /// (`--metrics`): a usage error that shows an example otherwise.
    static func parse(_ text: String, option: String) throws -> SocketAddress {
        guard let address = SocketAddress(text), case .tcp = address else {
            throw ValidationError("\(option) must be HOST:PORT with a numeric address and a port from 0 to 65535, such as 127.0.0.1:9100 or [::1]:0 (got '\(text)').")
        }
        return address
    }
}
