import Testing

@Suite("procctl spawn")
struct SpawnCommandTests {
    @Test("four children sleeping 1 s are all joined in about the time of one")
    func childrenRunConcurrently() throws {
        let result = try Procctl.run(["spawn", "--count", "4", "--sleep", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        for index in 1...4 {
            #expect(result.outputLines.contains("Process-\(index) is running"))
            #expect(result.outputLines.contains("Process-\(index) is done"))
            #expect(result.outputLines.contains { $0.hasPrefix("Process-\(index) pid=") && $0.hasSuffix("exitcode=0") })
        }
        // Serialized joins would take 4 s; this bounds concurrency, not speed.
        #expect(result.elapsedSeconds < 3.0)
        #expect(result.outputLines.last?.hasPrefix("elapsed ") == true)
    }

    @Test("a child's line reaches a pipe when it is printed, not when the child exits")
    func linesAreFlushedThroughAPipe() throws {
        let program = try Procctl.launch(["spawn", "--count", "1", "--sleep", "5", "--name", "early"])
        defer { program.stop() }
        let line = program.readLine(timeout: 3)
        #expect(line != nil, "no line within 3 s of a child that sleeps 5 s")
        #expect(line?.hasPrefix("early-1 is running") == true)
        #expect(program.waitForExit(timeout: 0) == nil, "procctl had already exited")
    }

    @Test("--json reports every child's name, pid and exit code")
    func jsonReport() throws {
        let result = try Procctl.run(["spawn", "--count", "3", "--sleep", "0.2", "--name", "w", "--json"])
        #expect(result.status == 0)
        let report = try JSONReport.object(result.standardOutput)
        let children = try #require(report["children"] as? [[String: Any]])
        #expect(children.count == 3)
        #expect(children.map { $0["name"] as? String } == ["w-1", "w-2", "w-3"])
        for child in children {
            #expect(child["exitcode"] as? Int == 0)
            #expect(child["alive"] as? Bool == false)
            #expect((child["pid"] as? Int ?? 0) > 1)
        }
        #expect((report["elapsed_s"] as? Double ?? 0) >= 0.2)
        // The children's lines go to stderr so that stdout is JSON alone.
        #expect(result.standardError.contains("w-1 is running"))
    }

    @Test("--terminate-after ends the children still alive with exit code -15")
    func terminateAfter() throws {
        let result = try Procctl.run(["spawn", "--count", "2", "--sleep", "20", "--terminate-after", "0.5", "--json"])
        #expect(result.status == 0)
        let report = try JSONReport.object(result.standardOutput)
        let children = try #require(report["children"] as? [[String: Any]])
        #expect(children.count == 2)
        for child in children {
            #expect(child["exitcode"] as? Int == -15)
            #expect(child["alive"] as? Bool == false)
        }
        #expect(result.standardError.contains("alive before=true after=false"))
        #expect(result.elapsedSeconds < 10)
    }

    @Test("bad arguments give a usage message and exit 64, never a trap", arguments: [
        ["spawn", "--count", "0"], ["spawn", "--count", "many"], ["spawn", "--sleep", "-1"], ["spawn", "--bogus"],
    ])
    func badArguments(arguments: [String]) throws {
        let result = try Procctl.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains("Usage:") || result.standardError.contains("Error:"))
        #expect(!result.standardError.contains("Fatal error"))
    }

    @Test("a negative number is reported as a value out of range, not as a missing value", arguments: [
        (["spawn", "--count", "-3"], "--count must be between 1 and 4096 (got -3)"),
        (["spawn", "--sleep", "-2"], "--sleep must be a number of seconds"),
        (["load", "--connections", "-5"], "--connections must be between 1 and 10000000 (got -5)"),
        (["bench", "spawn", "--iterations", "-1"], "--iterations must be between 1 and 1000000 (got -1)"),
    ])
    func negativeNumbers(arguments: [String], message: String) throws {
        let result = try Procctl.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains(message), "stderr: \(result.standardError)")
        #expect(!result.standardError.contains("Missing value"))
    }
}
