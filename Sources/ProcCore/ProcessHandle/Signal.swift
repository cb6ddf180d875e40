import Glibc

/// A signal to send to a process, named as swift-subprocess names it; any other number
/// through `init(rawValue:)`.
public struct Signal: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The signal's number, such as `SIGTERM`'s 15.
    public let rawValue: Int32

    /// The signal numbered `rawValue` (no check: the kernel refuses an unknown number
    /// with EINVAL when the signal is sent).
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// SIGINT: what Ctrl-C sends; Python raises `KeyboardInterrupt`.
    public static let interrupt = Signal(rawValue: SIGINT)
    /// SIGTERM: asks the process to end (Python's `terminate()`).
    public static let terminate = Signal(rawValue: SIGTERM)
    /// SIGKILL: ends the process at once; it cannot be caught (Python's `kill()`).
    public static let kill = Signal(rawValue: SIGKILL)
    /// SIGHUP: the terminal closed; servers take it as "reload".
    public static let terminalClosed = Signal(rawValue: SIGHUP)
    /// SIGQUIT: what Ctrl-\ sends; servers take it as "stop now".
    public static let quit = Signal(rawValue: SIGQUIT)
    /// SIGUSR1, whose meaning the program defines.
    public static let userDefinedOne = Signal(rawValue: SIGUSR1)
    /// SIGUSR2, whose meaning the program defines.
    public static let userDefinedTwo = Signal(rawValue: SIGUSR2)
    /// SIGSTOP: stops the process until `resume`; it cannot be caught.
    public static let suspend = Signal(rawValue: SIGSTOP)
    /// SIGCONT: resumes a stopped process.
    public static let resume = Signal(rawValue: SIGCONT)

    /// The signal's C name when it is one of the above, such as `SIGTERM`, else `signal N`.
    public var description: String {
        let names: [Int32: String] = [
            SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGKILL: "SIGKILL", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT",
            SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2", SIGSTOP: "SIGSTOP", SIGCONT: "SIGCONT",
        ]
        return names[rawValue] ?? "signal \(rawValue)"
    }
}
