import ArgumentParser
import ProcCore

/// The checks of the `--host` and `--port` options that `serve`, `client` and `load` take,
/// worded with the options' names; what a numeric address is, ProcCore's `SocketAddress`
/// decides.
enum NumericAddress {
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
