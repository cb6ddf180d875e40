import ArgumentParser
import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs an external program through ProcCore's exec path, as timeout(1) would.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a program with its output passed through, and exit with its exit code.",
        discussion: """
            Exits with the program's exit code, 128+N when signal N ended it, 124 when \
            --timeout ran out, 127 when the program was not found and 126 when it could not be executed.
            """
    )

    /// How long a program has between SIGTERM and SIGKILL once the timeout has run out.
    static let killGrace: Duration = .seconds(2)

    @Option(help: "Seconds to let the program run before SIGTERM (then SIGKILL after 2 s); exit 124.")
    var timeout: Double?

    @Argument(parsing: .captureForPassthrough, help: "The program and its arguments, after --.")
    var command: [String] = []

    mutating func validate() throws {
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("Missing the program to run, as in: procctl run -- PROGRAM [ARGS...]") }
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds above 0.")
        }
    }

    func run() throws {
        let program = Program(command[0], arguments: Array(command.dropFirst()))
        let child = ChildProcess(executing: program)
        do {
            try child.start()
        } catch let error where error.code == .cannotExecute {
            let reason = error.errno?.description ?? "\(error.code)"
            throw Terminal.fail("cannot run '\(command[0])': \(reason)", exitCode: error.errno == .noSuchFileOrDirectory ? 127 : 126)
        } catch {
            throw Terminal.fail("run: \(error)", exitCode: 126)
        }
        do {
            if let timeout, try !child.join(timeout: .milliseconds(Int64((timeout * 1000).rounded(.up)))) {
                try child.terminate()
                if try !child.join(timeout: Self.killGrace) {
                    try child.kill()
                    try child.join()
                }
                throw ExitCode(124)
            }
            try child.join()
        } catch let error as ProcessError {
            throw Terminal.fail("run: \(error)")
        }
        let code = child.exitCode ?? 1
        throw ExitCode(code >= 0 ? code : 128 - code)
    }
}
