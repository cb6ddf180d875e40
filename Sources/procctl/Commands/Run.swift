import ArgumentParser
import ProcCore

#if canImport(Glibc)
import Glibc  // the signal numbers
#endif

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
    static let killGrace = 2.0

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
            let signals = try SignalPipe.install(catching: [SIGTERM, SIGHUP, SIGINT, SIGQUIT])
            try child.start()
            timedOut = try wait(for: child, signals: signals)
        } catch let error where error.code == .cannotExecute {
            let reason = error.errno?.description ?? "\(error.code)"
            throw Terminal.fail("cannot run '\(command[0])': \(reason)", exitCode: error.errno == .noSuchFileOrDirectory ? 127 : 126)
        } catch {
            try? child.kill()
            try? child.join()
            throw Terminal.fail("run: \(error)")
        }
        if timedOut { throw ExitCode(124) }
        let code = child.exitCode ?? 1
        throw ExitCode(code >= 0 ? code : 128 - code)
    }

    /// Waits for the program to end, passing signals on and enforcing the timeout.
    /// Returns whether the timeout ran out.
    private func wait(for child: ChildProcess, signals: SignalPipe) throws(ProcessError) -> Bool {
        let started = Terminal.now()
        var killAt: Double?
        var timedOut = false
        while try child.isAlive {
            let now = Terminal.now()
            if let timeout, !timedOut, now >= started + timeout {
                timedOut = true
                try child.terminate()
                killAt = now + Self.killGrace
            }
            if let at = killAt, now >= at {
                try child.kill()
                killAt = nil
            }
            let nextEvent = [timedOut ? nil : timeout.map { started + $0 }, killAt].compactMap { $0 }.min()
            // Without a pidfd nothing wakes the poll when the child ends: look again often.
            var wait: Duration? = child.processDescriptor == nil ? .milliseconds(50) : nil
            if let nextEvent {
                let untilEvent = Duration.seconds(max(0, nextEvent - now))
                wait = wait.map { min($0, untilEvent) } ?? untilEvent
            }
            _ = try Poll.waitForInput(on: [child.processDescriptor ?? -1, signals.descriptor.rawValue], timeout: wait)
            for signal in signals.drain() where signal == SIGTERM || signal == SIGHUP {
                try child.send(signal: signal)
            }
        }
        return timedOut
    }
}
