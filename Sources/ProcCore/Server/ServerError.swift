import SystemPackage

/// Why a `Server` did not start, with a code a caller can switch on, the errno when a
/// system call failed, and a reason for people.
///
/// ```swift
/// do {
///     server = try Server(configuration: configuration) { connection, peer in ... }
/// } catch let error where error.code == .cannotListen {
///     print("\(configuration.address) is taken? \(error.reason)")
/// }
/// ```
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// What failed, one case per failure a caller may want to tell apart.
    public enum Code: Sendable, Equatable {
        /// A value of the configuration is out of range (`invalidValue` says which).
        case invalidConfiguration
        /// The address cannot be listened on (EADDRINUSE, EADDRNOTAVAIL, EACCES...).
        case cannotListen
        /// The metrics address cannot be listened on.
        case cannotServeMetrics
        /// The pid file cannot be written: its folder is missing or not writable.
        case cannotWritePidFile
        /// A socket passed the systemd way is not one to serve: `LISTEN_FDS` or
        /// `LISTEN_PID` is malformed, or a passed descriptor is not a listening TCP socket.
        case invalidPassedSocket
        /// The program to run for each connection cannot be run (not found, not executable).
        case cannotExecute
        /// Anything else the start needs (a signal disposition, a pipe) failed.
        case cannotStart
    }

    /// What failed.
    public let code: Code
    /// The system's error, when a system call failed.
    public let errno: Errno?
    /// The failure underneath, when there is one (its operation names what was tried).
    public let underlying: ProcessError?
    /// The value out of range, for `.invalidConfiguration`.
    public let invalidValue: ServerConfiguration.InvalidValue?
    /// What was tried, for people: `listen on 127.0.0.1:8080`, `write pid file /run/x.pid`.
    public let operation: String

    /// A failure of `code` while trying `operation`, from `underlying`.
    init(_ code: Code, operation: String, underlying: ProcessError) {
        self.code = code
        self.operation = operation
        self.underlying = underlying
        errno = underlying.errno
        invalidValue = nil
    }

    /// A configuration that cannot be served.
    init(_ invalidValue: ServerConfiguration.InvalidValue) {
        code = .invalidConfiguration
        operation = "check the configuration"
        underlying = nil
        errno = nil
        self.invalidValue = invalidValue
    }

    /// Why, for people, without what was tried: the errno's text (`Address already in
    /// use`), or the failure underneath.
    public var reason: String {
        if let invalidValue { return "\(invalidValue)" }
        if let errno { return errno.description }
        if let underlying { return "\(underlying)" }
        return "\(code)"
    }

    /// `cannot listen on 127.0.0.1:8080: Address already in use`.
    public var description: String {
        switch code {
        case .invalidConfiguration: "invalid configuration: \(reason)"
        case .invalidPassedSocket: "invalid passed socket: \(underlying.map { "\($0)" } ?? reason)"
        default: "cannot \(operation): \(reason)"
        }
    }
}
