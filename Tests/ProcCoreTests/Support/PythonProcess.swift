import CProcShim
import ProcCore
import ProcTestSupport
import SystemPackage
import Testing

import Glibc

/// A Python interpreter running a script beside a test, its standard output read line by
/// line through a pipe; `stop()` (in a `defer`) kills it by its pidfd and joins it.
final class PythonProcess {
    /// The interpreters the interop tests run against: `python3` from PATH, or the
    /// colon-separated list in PROCCTL_TEST_PYTHONS (to cover 3.11's MD5 handshake and
    /// 3.12's SHA-256 one on a machine that has both). Empty when none can be found: the
    /// tests are then disabled, with that reason.
    static let interpreters: [String] = {
        let listed = getenv("PROCCTL_TEST_PYTHONS").map { String(cString: $0) } ?? "python3"
        return listed.split(separator: ":").map(String.init).filter {
            (try? Program($0).resolvingExecutable()) != nil
        }
    }()

    /// Whether any interpreter was found.
    static var isAvailable: Bool { !interpreters.isEmpty }

    private let child: ChildProcess
    private let output: Int32
    private var pending: [UInt8] = []

    /// Starts `interpreter -c script arguments…`, with `standardInput` (a descriptor the
    /// caller keeps and closes) as its standard input if given.
    init(_ interpreter: String, script: String, arguments: [String] = [], standardInput: Int32? = nil) throws {
        let (readEnd, writeEnd) = try makePipe()
        var program = Program(interpreter, arguments: ["-c", script] + arguments)
        program.standardOutput = FileDescriptor(rawValue: writeEnd)
        program.standardInput = standardInput.map { FileDescriptor(rawValue: $0) }
        child = ChildProcess(name: "python", executing: program)
        output = readEnd
        defer { _ = pc_close(writeEnd) }
        do {
            try child.start()
        } catch {
            _ = pc_close(readEnd)
            throw error
        }
    }

    deinit {
        stop()
        _ = pc_close(output)
    }

    /// The next line the script prints (without its newline), waiting at most `seconds`;
    /// nil when it ends or the time runs out first.
    func readLine(within seconds: Double = 20) -> String? {
        let deadline = TestClock.now() + seconds
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let left = deadline - TestClock.now()
            guard left > 0 else { return nil }
            let chunk = read(output, exactly: 1, within: left)
            guard !chunk.isEmpty else { return nil }
            pending += chunk
        }
    }

    /// Waits at most `seconds` for the script to end; its exit code, nil if it did not.
    func exitCode(within seconds: Int64 = 20) -> Int32? {
        guard (try? child.join(timeout: .seconds(seconds))) == true else { return nil }
        return child.exitCode
    }

    /// Kills the interpreter if it still runs, and joins it.
    func stop() {
        try? child.kill()
        _ = try? child.join(timeout: .seconds(10))
    }
}
