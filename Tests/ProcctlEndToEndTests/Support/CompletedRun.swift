/// What one run of a program left behind once it had exited.
struct CompletedRun {
    /// The exit code, or -N when signal N ended it.
    var status: Int32
    var standardOutput: String
    var standardError: String
    /// From just before the program was started to just after it was reaped.
    var elapsedSeconds: Double

    /// stdout's non-empty lines.
    var outputLines: [Substring] { standardOutput.split(separator: "\n") }
}
