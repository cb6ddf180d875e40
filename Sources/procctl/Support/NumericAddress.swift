import ArgumentParser
import ProcCore

/// Checks and formats the numeric IPv4 and IPv6 addresses that `serve` and `client` take.
enum NumericAddress {
    /// Whether `host` is a numeric IPv4 or IPv6 address (host names are not looked up).
    static func isValid(_ host: String) -> Bool {
        TCPAddress.isNumericHost(host)
    }

    /// `host:port`, with an IPv6 address in brackets: `[::1]:8080`.
    static func describe(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The checks of `--host` and `--port` shared by `serve` and `client`; `ports` is
    /// 0...65535 where 0 asks for an ephemeral port.
    static func validate(host: String, port: Int, ports: ClosedRange<Int>) throws {
        guard isValid(host) else {
            throw ValidationError("--host must be a numeric IPv4 or IPv6 address, such as 127.0.0.1 or ::1 (got '\(host)').")
        }
        guard ports.contains(port) else {
            throw ValidationError("--port must be between \(ports.lowerBound) and \(ports.upperBound) (got \(port)).")
        }
    }
}
