import ArgumentParser
import ProcCore
import SystemPackage

/// procctl's ways of talking to the user: stdout lines that appear as they are printed
/// (also through a pipe), and one-line errors on stderr.
enum Terminal {
    /// Prints `line` to stdout and flushes it at once.
    static func say(_ line: String) {
        print(line)
        StandardStreams.flush()
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

    /// The monotonic clock, in seconds.
    static func now() -> Double {
        MonotonicClock.seconds()
    }

    /// Sleeps `seconds`, resuming after interruptions.
    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        MonotonicClock.sleep(for: .seconds(seconds))
    }
}
