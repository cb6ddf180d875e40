import ArgumentParser

/// A command whose `--help` ends with lines a person can paste.
///
/// swift-argument-parser 1.8 has no section after the options, so `Procctl.main` appends
/// these to the help it prints (see `Procctl+Main.swift`).
protocol CommandWithExamples: ParsableCommand {
    /// Command lines, each with a short comment after `#`.
    static var examples: [String] { get }
}

extension CommandWithExamples {
    /// The examples as the last section of `--help`.
    static var examplesSection: String {
        "EXAMPLES:\n" + examples.map { "  " + $0 }.joined(separator: "\n")
    }
}
