import ArgumentParser
import CProcShim
import ProcCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// procctl's ways of talking to the user: stdout lines that appear as they are printed
/// (also through a pipe), and one-line errors on stderr.
enum Terminal {
    /// Prints `line` to stdout and flushes it at once.
    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Prints `line` as `say` does, or to stderr when `toStandardError`.
    static func say(_ line: String, toStandardError: Bool) {
        if toStandardError { log(line) } else { say(line) }
    }

    /// Writes `line` to stderr unbuffered.
    static func log(_ line: String) {
        write(toStandardError: line + "\n")
    }

    /// Writes `text` to stderr unbuffered, as it is: no newline is added (a progress
    /// line is redrawn in place).
    static func write(toStandardError text: String) {
        _ = try? FileDescriptor.standardError.writeAll(text.utf8)
    }

    /// Prints `procctl: message` on stderr and returns the exit code to throw.
    static func fail(_ message: String, exitCode: Int32 = 1) -> ExitCode {
        log("procctl: " + message)
        return ExitCode(exitCode)
    }

    /// Whether `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    /// The monotonic clock, in seconds.
    static func now() -> Double {
        Double(pc_monotonic_ns()) / 1e9
    }

    /// Sleeps `seconds`, resuming after interruptions.
    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
