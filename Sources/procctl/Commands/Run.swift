import ArgumentParser
import ProcCore

/// Runs an external program through ProcCore's exec path, as timeout(1) would.
struct Run: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Run a program with its output passed through, and exit with its exit code.",
        discussion: """
            Exits with the program's exit code, 128+N when signal N ended it, 124 when \
            --timeout ran out, 127 when the program was not found and 126 when it could not be executed. \
            SIGTERM and SIGHUP sent to procctl are passed on to the program; on SIGINT and SIGQUIT, \
            which a terminal sends to the program too, procctl waits for the program as a shell does.
            """
    )

    /// How long a program has between SIGTERM and SIGKILL once the timeout has run out.
    static let killGrace = Duration.seconds(2)

    static let examples = [
        "procctl run -- ls -l /tmp                 # the exit code is the program's",
        "procctl run --timeout 5 -- sleep 60       # SIGTERM after 5 s, exit 124",
        "procctl run -- sh -c 'kill -TERM $$'      # killed by a signal: exit 128+15",
    ]

    @Option(parsing: .unconditional, help: "Seconds to let the program run before SIGTERM (then SIGKILL after 2 s); exit 124.")
    var timeout: Double?

    @Argument(parsing: .captureForPassthrough, help: "The program and its arguments, after --.")
    var command: [String] = []

    mutating func validate() throws {
        // Passthrough capture takes everything, --help too: only after -- is it the program's.
        if command.first == "--help" || command.first == "-h" { throw CleanExit.helpRequest(self) }
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("Missing the program to run, as in: procctl run -- PROGRAM [ARGS...]") }
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds above 0 (got \(timeout.asTyped)).")
        }
    }

    func run() throws {
        let child = ChildProcess(executing: Program(command[0], arguments: Array(command.dropFirst())))
        let timedOut: Bool
        do {
            // Caught before the start, so that no signal meant for the program is missed.
            // SIGINT and SIGQUIT reach the program from the terminal itself.
            let forwarding = try SignalForwarding([.terminate, .terminalClosed], absorbing: [.interrupt, .quit])
            try child.start()
            timedOut = try child.join(terminatingAfter: timeout.map { .seconds($0) }, killingAfter: Self.killGrace, forwarding: forwarding)
        } catch let error where error.code == .cannotExecute {
            throw Terminal.fail("cannot run '\(command[0])': \(error.reason)", exitCode: error.errno == .noSuchFileOrDirectory ? 127 : 126)
        } catch {
            try? child.kill()
            try? child.join()
            throw Terminal.fail("run: \(error)")
        }
        if timedOut { throw ExitCode(124) }
        let code = child.exitCode ?? 1
        throw ExitCode(code >= 0 ? code : 128 - code)
    }
}
