import Testing

import Glibc

@Suite("procctl run passes signals on")
struct RunSignalForwardingTests {
    @Test("SIGTERM to procctl reaches the program, and procctl exits with the program's code")
    func sigtermIsForwarded() throws {
        // The trap stops the script's own sleep, so no process outlives the test.
        let script = "trap 'kill $!; echo got TERM; exit 7' TERM; sleep 20 >/dev/null & echo ready; wait"
        let procctl = try Procctl.launch(["run", "--", "sh", "-c", script])
        defer { procctl.stop() }
        // Signal only once the program's trap is set.
        try #require(procctl.readLine(timeout: 10) == "ready", "the program did not start within 10 s")
        procctl.send(signal: SIGTERM)
        #expect(procctl.exitCode(timeout: 10) == 7)
        #expect(procctl.readLine(timeout: 5) == "got TERM")
    }
}
