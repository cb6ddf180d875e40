import Foundation
import Testing

/// Debian's `haproxy`, for the tests that put procctl serve behind it, and whether the
/// procctl under test has what its documented configuration needs.
enum HAProxyProgram {
    /// haproxy's path: in PATH, or in /usr/sbin (which a user's PATH may lack); nil when
    /// it is not installed.
    static let path: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"])
            .map { "\($0)/haproxy" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let missingReason: Comment = "needs haproxy (Debian's haproxy package; .ci/run installs it)"

    /// Whether `procctl serve` has the flags contrib/haproxy/haproxy.cfg's servers use.
    static let serveHasBalancerFlags: Bool = {
        guard let help = try? Procctl.run(["serve", "--help"]) else { return false }
        return help.standardOutput.contains("--drain-delay") && help.standardOutput.contains("--proxy-protocol")
    }()
    static let flagsMissingReason: Comment = "procctl serve has no --drain-delay or --proxy-protocol"
}
