import Testing

/// `--version` and the examples at the end of each command's help.
@Suite("procctl --help and --version") struct HelpTests {
    @Test func versionIsOneLine() throws {
        let result = try Procctl.run(["--version"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.split(separator: ".").count == 3, "not MAJOR.MINOR.PATCH: \(result.standardOutput)")
    }

    @Test("each command's help ends with examples that name it", arguments: [
        ["spawn", "--help"], ["help", "spawn"], ["client", "-h"], ["load", "--help"], ["run", "--help"],
        ["bench", "spawn", "--help"],
    ])
    func helpEndsWithExamples(arguments: [String]) throws {
        let result = try Procctl.run(arguments)
        #expect(result.status == 0)
        let output = result.standardOutput
        #expect(output.hasPrefix("OVERVIEW:"))
        let examples = try #require(output.split(separator: "EXAMPLES:\n", omittingEmptySubsequences: false).last)
        let lines = examples.split(separator: "\n")
        #expect(lines.count >= 2, "fewer than two examples: \(examples)")
        let command = arguments.filter { !$0.hasPrefix("-") && $0 != "help" }.joined(separator: " ")
        #expect(lines.allSatisfy { $0.hasPrefix("  ") }, "the examples are not the last section")
        #expect(lines.contains { $0.contains("procctl \(command)") }, "no example runs procctl \(command)")
    }
}
