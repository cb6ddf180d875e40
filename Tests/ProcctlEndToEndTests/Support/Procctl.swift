import ProcTestSupport

import Glibc

/// The built `procctl` executable, run the way a user runs it. Only the shim and libc
/// start it (through `LaunchedProgram`), so that these tests do not depend on ProcCore,
/// which procctl is built on.
enum Procctl {
    /// `procctl` beside the test bundle in the build folder (`.build/<triple>/debug/`):
    /// `swift test` builds both.
    static let path: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        return executable.parentDirectory + "/procctl"
    }()

    /// The package's root directory, from this file's path.
    static let packageRoot: String = {
        // <root>/Tests/ProcctlEndToEndTests/Support/Procctl.swift
        var path = #filePath
        for _ in 0..<4 { path = path.parentDirectory }
        return path
    }()

    /// Starts procctl with `arguments` and leaves it running: the test talks to it and
    /// stops it (in a `defer`).
    static func launch(_ arguments: [String], input: LaunchedProgram.Input = .empty) throws -> LaunchedProgram {
        guard access(path, X_OK) == 0 else {
            throw HarnessError("procctl is not built at \(path); run `swift build` first")
        }
        return try LaunchedProgram(path, arguments, input: input)
    }

    /// Runs procctl with `arguments`, stdin from /dev/null, and waits for it to exit;
    /// stops it by its pid and throws when it outlives `timeout` seconds.
    static func run(_ arguments: [String], timeout: Double = 30) throws -> CompletedRun {
        let started = TestClock.now()
        let program = try launch(arguments)
        defer { program.stop() }
        let output = program.readStandardOutput(timeout: timeout)
        guard let code = program.exitCode(timeout: max(0, started + timeout - TestClock.now())) else {
            throw HarnessError("procctl \(arguments) did not end within \(timeout) s; stderr: \(program.standardError())")
        }
        return CompletedRun(
            status: code,
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: program.standardError(),
            elapsedSeconds: TestClock.now() - started
        )
    }
}
