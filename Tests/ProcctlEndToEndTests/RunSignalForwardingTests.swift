import CProcShim
import ProcCore
import SystemPackage
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("procctl run passes signals on")
struct RunSignalForwardingTests {
    @Test("SIGTERM to procctl reaches the program, and procctl exits with the program's code")
    func sigtermIsForwarded() throws {
        let (outRead, outWrite) = try FileDescriptor.closeOnExecPipe()
        // The trap stops the script's own sleep, so no process outlives the test.
        let script = "trap 'kill $!; echo got TERM; exit 7' TERM; sleep 20 >/dev/null & echo ready; wait"
        var program = Program(ProcctlBinary.path, arguments: ["run", "--", "sh", "-c", script])
        program.standardOutput = outWrite
        let procctl = ChildProcess(executing: program)
        try procctl.start()
        defer {
            try? procctl.kill()
            try? procctl.join()
            try? outRead.close()
        }
        try outWrite.close()
        // Signal only once the program's trap is set.
        var revents: Int16 = 0
        #expect(pc_poll_one(outRead.rawValue, Int16(POLLIN), 10_000, &revents) == 0)
        try #require(revents & Int16(POLLIN) != 0, "the program did not start within 10 s")
        try procctl.terminate()
        #expect(try procctl.join(timeout: .seconds(10)))
        #expect(procctl.exitCode == 7)
        #expect(try outRead.readToEnd() == "ready\ngot TERM\n")
    }
}
