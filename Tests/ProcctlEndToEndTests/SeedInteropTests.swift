import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// The seed's own Python programs against procctl's, both ways.
@Suite("procctl and the seed's Python programs", .enabled(if: SeedPrograms.available, SeedPrograms.skipReason))
struct SeedInteropTests {
    @Test("The seed's client.py against procctl serve")
    func seedClientAgainstProcctlServer() throws {
        let server = try RunningServer(["--grace", "1"])
        defer { server.stop() }
        let script = try SeedPrograms.copy("client.py", port: server.port)
        defer { SeedPrograms.remove(script) }
        let client = try LaunchedProgram(try #require(SeedPrograms.python3), [script], input: .bytes(Array("hello\n  seed client  \n".utf8)))
        defer { client.stop() }
        let output = String(decoding: client.readStandardOutput(timeout: 20), as: UTF8.self)
        // The seed's client loops on input() until EOFError: its exit status says nothing.
        client.waitForExit(timeout: 10)
        #expect(output.hasPrefix(">>: HELLO\n>>: SEED CLIENT\n"), "\(output)")
        #expect(server.waitUntilNoChildren(timeout: 10))
    }

    @Test("procctl client against the seed's server.py")
    func procctlClientAgainstSeedServer() throws {
        let port = try LoopbackPort.unused()
        let script = try SeedPrograms.copy("server.py", port: port)
        defer { SeedPrograms.remove(script) }
        let server = try LaunchedProgram(try #require(SeedPrograms.python3), [script])
        defer {
            // The seed's server forks a child per connection and never reaps it: stop those too, by pid.
            for child in ProcessTable.children(of: server.pid) { kill(child.pid, SIGKILL) }
            server.stop()
        }
        try #require(waitUntilListening(port: port, timeout: 15), "server.py did not listen; stderr: \(server.standardError())")
        let client = try Procctl.launch(["client", "--port", "\(port)"], input: .bytes(Array("hello\nseed server, from procctl\n".utf8)))
        defer { client.stop() }
        let output = String(decoding: client.readStandardOutput(timeout: 20), as: UTF8.self)
        #expect(output == "HELLO\nSEED SERVER, FROM PROCCTL\n")
        #expect(client.exitCode(timeout: 10) == 0)
    }

    /// Connects until something accepts on `port` (then closes), for at most `timeout` seconds.
    private func waitUntilListening(port: Int, timeout: Double) -> Bool {
        TestClock.waitUntil(timeout: timeout, interval: 0.05) {
            guard let probe = try? TestConnection(port: port) else { return false }
            probe.close()
            return true
        }
    }
}
