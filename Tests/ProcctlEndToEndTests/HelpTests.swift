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
        ["--help"], ["help"], ["-h"],
        ["spawn", "--help"], ["help", "spawn"], ["client", "-h"], ["load", "--help"], ["run", "--help"],
        ["serve", "--help"], ["isolation", "--help"], ["pool", "--help"], ["help", "pool"],
        ["bench", "--help"], ["bench", "spawn", "--help"], ["bench", "ipc", "--help"], ["bench", "pool", "--help"],
        ["help", "bench", "ipc"],
    ])
    func helpEndsWithExamples(arguments: [String]) throws {
        let result = try Procctl.run(arguments)
        #expect(result.status == 0)
        let output = result.standardOutput
        #expect(output.hasPrefix("OVERVIEW:"))
        let examples = try #require(output.split(separator: "EXAMPLES:\n", omittingEmptySubsequences: false).last)
        let lines = examples.split(separator: "\n")
        #expect(lines.count >= 2, "fewer than two examples: \(examples)")
        let command = (["procctl"] + arguments.filter { !$0.hasPrefix("-") && $0 != "help" }).joined(separator: " ")
        #expect(lines.allSatisfy { $0.hasPrefix("  ") }, "the examples are not the last section")
        #expect(lines.contains { $0.contains(command + " ") }, "no example runs \(command)")
    }

    @Test("every command the help lists has examples, subcommands of subcommands too")
    func everyListedCommandHasExamples() throws {
        var commands: [[String]] = [[]]
        var checked = 0
        while let command = commands.popLast() {
            let result = try Procctl.run(command + ["--help"])
            #expect(result.status == 0)
            #expect(result.standardOutput.contains("\nEXAMPLES:\n"), "procctl \(command.joined(separator: " ")) --help has no examples")
            checked += 1
            // The SUBCOMMANDS section, up to its first empty line: two spaces, a name, its
            // abstract, which may go on in lines that start with more spaces.
            guard let section = result.standardOutput.split(separator: "SUBCOMMANDS:\n").dropFirst().first else { continue }
            for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty { break }
                if line.hasPrefix("   ") { continue }
                let name = String(line.dropFirst(2).prefix { $0 != " " })
                if name != "help" { commands.append(command + [name]) }
            }
        }
        #expect(checked >= 12, "only \(checked) commands found in the help")
    }
}
