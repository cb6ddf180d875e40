import Testing

@Suite("procctl isolation")
struct IsolationCommandTests {
    @Test("the child's change to a global stays in the child")
    func textOutput() throws {
        let result = try Procctl.run(["isolation"])
        #expect(result.status == 0)
        #expect(result.outputLines == ["child: n = 0", "parent: n = 100"])
    }

    @Test("--json reports the value the child itself saw")
    func jsonOutput() throws {
        let result = try Procctl.run(["isolation", "--value", "42", "--json"])
        #expect(result.status == 0)
        let report = try JSONReport.object(result.standardOutput)
        #expect(report["child"] as? Int == 0)
        #expect(report["parent"] as? Int == 42)
    }

    @Test("--shared: the parent reads the 0 the child stored in shared memory")
    func sharedTextOutput() throws {
        let result = try Procctl.run(["isolation", "--shared"])
        #expect(result.status == 0)
        #expect(result.outputLines == ["child: n = 0", "parent: n = 0"])
    }

    @Test("--shared --json: both sides report 0")
    func sharedJSONOutput() throws {
        let result = try Procctl.run(["isolation", "--shared", "--value", "42", "--json"])
        #expect(result.status == 0)
        let report = try JSONReport.object(result.standardOutput)
        #expect(report["child"] as? Int == 0)
        #expect(report["parent"] as? Int == 0)
    }
}
