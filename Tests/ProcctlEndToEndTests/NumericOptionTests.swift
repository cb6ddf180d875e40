import Testing

/// Every numeric option of every command, given a negative number: the value is out of
/// range (the error quotes it), never a "missing value", whether it is written
/// `--option -1` or `--option=-1`. And `serve --` with no program after it.
@Suite("procctl: negative numbers and a missing program")
struct NumericOptionTests {
    /// A command, the option, and what else the command needs for the option to be checked.
    struct Case: CustomTestStringConvertible, Sendable {
        let command: [String]
        let option: String
        var needs: [String] = []
        var testDescription: String { (command + [option]).joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(command: ["serve"], option: "--port"),
        Case(command: ["serve"], option: "--backlog"),
        Case(command: ["serve"], option: "--max-children"),
        Case(command: ["serve"], option: "--workers"),
        Case(command: ["serve"], option: "--max-workers", needs: ["--workers", "2"]),
        Case(command: ["serve"], option: "--max-requests", needs: ["--workers", "2"]),
        Case(command: ["serve"], option: "--max-requests-jitter", needs: ["--workers", "2"]),
        Case(command: ["serve"], option: "--worker-timeout", needs: ["--workers", "2"]),
        Case(command: ["serve"], option: "--idle-timeout"),
        Case(command: ["serve"], option: "--grace"),
        Case(command: ["serve"], option: "--upgrade-timeout"),
        Case(command: ["client"], option: "--port"),
        Case(command: ["spawn"], option: "--count"),
        Case(command: ["spawn"], option: "--sleep"),
        Case(command: ["spawn"], option: "--terminate-after"),
        Case(command: ["run"], option: "--timeout", needs: ["--", "true"]),
        Case(command: ["load"], option: "--port"),
        Case(command: ["load"], option: "--connections"),
        Case(command: ["load"], option: "--concurrency"),
        Case(command: ["load"], option: "--messages"),
        Case(command: ["load"], option: "--size"),
        Case(command: ["load"], option: "--timeout"),
        Case(command: ["load"], option: "--deadline"),
        Case(command: ["pool"], option: "--workers"),
        Case(command: ["pool"], option: "--tasks"),
        Case(command: ["pool"], option: "--span"),
        Case(command: ["bench", "spawn"], option: "--iterations"),
        Case(command: ["bench", "ipc"], option: "--rounds"),
        Case(command: ["bench", "ipc"], option: "--round-trips"),
        Case(command: ["bench", "ipc"], option: "--batches"),
        Case(command: ["bench", "ipc"], option: "--increments"),
        Case(command: ["bench", "pool"], option: "--tasks"),
        Case(command: ["bench", "pool"], option: "--workers"),
        Case(command: ["bench", "pool"], option: "--rounds"),
        Case(command: ["bench", "pool"], option: "--children"),
    ]

    @Test("a negative number is out of range, with its value, as with --option=-1", arguments: cases)
    func negativeNumber(_ test: Case) throws {
        // The option before what the command needs: `run`'s program comes after `--`.
        let separate = try Procctl.run(test.command + [test.option, "-1"] + test.needs)
        let joined = try Procctl.run(test.command + ["\(test.option)=-1"] + test.needs)
        #expect(separate.status == 64, "\(separate.standardError)")
        #expect(separate.standardOutput.isEmpty)
        let error = separate.standardError.split(separator: "\n").first ?? ""
        #expect(error.hasPrefix("Error: \(test.option) must be"), "\(separate.standardError)")
        #expect(error.contains("(got -1"), "the value is not quoted: \(error)")
        #expect(!separate.standardError.contains("Missing value"))
        #expect(joined.status == separate.status && joined.standardError == separate.standardError,
                "--option=-1 says: \(joined.standardError)")
    }

    @Test("isolation --value takes a negative number")
    func negativeValueIsAValue() throws {
        let result = try Procctl.run(["isolation", "--value", "-7", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "{\"child\": 0, \"parent\": -7}\n", "\(result.standardOutput)")
    }

    @Test("serve -- with no program after it is a usage error", arguments: [
        ["serve", "--"], ["serve", "--port", "0", "--"], ["serve", "--workers", "2", "--"],
    ])
    func serveWithoutAProgram(arguments: [String]) throws {
        let result = try Procctl.run(arguments, timeout: 30)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty, "it served: \(result.standardOutput)")
        #expect(result.standardError.hasPrefix("Error: Missing the program after --, as in: procctl serve -- PROGRAM [ARGS...]"),
                "\(result.standardError)")
    }
}
