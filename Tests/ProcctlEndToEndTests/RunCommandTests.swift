import Testing

@Suite("procctl run")
struct RunCommandTests {
    @Test("passes output through and exits with the program's exit code")
    func exitCodeAndOutput() throws {
        let result = try Procctl.run(["run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
    }

    @Test("finds a program by name in PATH and passes its arguments unchanged")
    func pathLookup() throws {
        let result = try Procctl.run(["run", "--", "printf", "%s|", "a b", "--flag", ""])
        #expect(result.status == 0)
        #expect(result.standardOutput == "a b|--flag||")
    }

    @Test("a program ended by signal N gives 128+N")
    func signalExit() throws {
        let result = try Procctl.run(["run", "--", "sh", "-c", "kill -KILL $$"])
        #expect(result.status == 137)
    }

    @Test("a missing program: one line naming it, exit 127")
    func missingProgram() throws {
        let result = try Procctl.run(["run", "--", "no-such-program-procctl"])
        #expect(result.status == 127)
        #expect(result.standardError == "procctl: cannot run 'no-such-program-procctl': No such file or directory\n")
    }

    @Test("a file that is not executable: one line, exit 126")
    func notExecutable() throws {
        let result = try Procctl.run(["run", "--", "/etc/hostname"])
        #expect(result.status == 126)
        #expect(result.standardError.hasPrefix("procctl: cannot run '/etc/hostname': "))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test("--timeout terminates the program and exits 124")
    func timeout() throws {
        let result = try Procctl.run(["run", "--timeout", "0.3", "--", "sleep", "30"])
        #expect(result.status == 124)
        #expect(result.elapsedSeconds < 10)
    }

    @Test("--timeout kills a program that ignores SIGTERM after the grace period")
    func timeoutEscalatesToKill() throws {
        let result = try Procctl.run(["run", "--timeout", "0.3", "--", "sh", "-c", "trap '' TERM; exec sleep 30"])
        #expect(result.status == 124)
        #expect(result.elapsedSeconds >= 2.0, "SIGKILL came before the grace period ended")
        #expect(result.elapsedSeconds < 15)
    }

    @Test("no program, or a bad timeout, is a usage error", arguments: [
        ["run"], ["run", "--timeout", "0", "--", "true"], ["run", "--timeout", "soon", "--", "true"],
    ])
    func usageErrors(arguments: [String]) throws {
        let result = try Procctl.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains("Usage:") || result.standardError.contains("Error:"))
    }
}
