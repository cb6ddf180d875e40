import CProcShim
import ProcTestSupport

import Glibc

/// A program a test started (procctl through `Procctl.launch`, python3...): stdin is a
/// pipe or /dev/null, stdout a pipe read line by line with a timeout, stderr a temporary
/// file (so that a chatty server can never block on a full pipe). Every wait is bounded;
/// `stop()` (call it in a `defer`) ends and reaps the process by its pid in every case.
final class LaunchedProgram {
    /// What the program reads on stdin.
    enum Input {
        /// /dev/null: end of input at once.
        case empty
        /// A pipe the test writes to with `write(toStandardInput:)` and closes with `closeStandardInput()`.
        case pipe
        /// These bytes, then end of input.
        case bytes([UInt8])
    }

    /// Where the program's stderr goes.
    enum ErrorOutput {
        /// A temporary file, read with `standardError()`.
        case file
        /// A pipe of one page that the test never reads: it fills after 4 KiB, and a
        /// writer that waits for room waits for ever (`standardError()` is then empty).
        case unreadPipe
    }

    let pid: pid_t
    private let pidfd: Int32
    /// The read end of the `.unreadPipe`, held open and never read; -1 otherwise.
    private let unreadStderr: Int32
    private var stdinWriteEnd: Int32
    private let stdoutReadEnd: Int32
    private let stderrPath: String
    private var stdoutPending: [UInt8] = []
    private var stdoutEnded = false
    private(set) var status: pc_exit_status?

    /// Starts `executable` (looked up in PATH when it has no slash) with `arguments`.
    init(_ executable: String, _ arguments: [String], input: Input = .empty, errorOutput: ErrorOutput = .file) throws {
        var stdoutPipe: [Int32] = [-1, -1]
        var stdinPipe: [Int32] = [-1, -1]
        try Self.check("pipe", pc_pipe(&stdoutPipe))
        var template = Array("/tmp/procctl-e2e-stderr-XXXXXX".utf8CString)
        let stderrFile = mkstemp(&template)
        guard stderrFile >= 0 else {
            let error = errno
            _ = pc_close(stdoutPipe[0]); _ = pc_close(stdoutPipe[1])
            throw HarnessError("mkstemp: errno \(error)")
        }
        _ = fcntl(stderrFile, F_SETFD, FD_CLOEXEC)
        stderrPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var stdinRead: Int32 = -1
        switch input {
        case .empty:
            stdinRead = open("/dev/null", O_RDONLY | O_CLOEXEC)
        case .pipe, .bytes:
            let result = pc_pipe(&stdinPipe)
            if result != 0 {
                for fd in stdoutPipe + [stderrFile] { _ = pc_close(fd) }
                unlink(stderrPath)
                try Self.check("pipe", result)
            }
            stdinRead = stdinPipe[0]
        }
        var options = pc_spawn_options()
        pc_spawn_options_init(&options)
        options.search_path = !executable.contains("/")
        options.stdin_fd = stdinRead
        options.stdout_fd = stdoutPipe[1]
        options.stderr_fd = stderrFile
        var stderrPipe: [Int32] = [-1, -1]
        if case .unreadPipe = errorOutput {
            try Self.check("pipe", pc_pipe(&stderrPipe))
            _ = fcntl(stderrPipe[0], 1031 /* F_SETPIPE_SZ, which Glibc does not export */, 4096)
            options.stderr_fd = stderrPipe[1]
        }
        unreadStderr = stderrPipe[0]
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var childPID: pid_t = 0
        let result = pc_spawn(executable, argv, &options, &childPID)
        _ = pc_close(stdinRead)
        _ = pc_close(stdoutPipe[1])
        _ = pc_close(stderrFile)
        if stderrPipe[1] >= 0 { _ = pc_close(stderrPipe[1]) }
        guard result == 0 else {
            if unreadStderr >= 0 { _ = pc_close(unreadStderr) }
            _ = pc_close(stdoutPipe[0])
            if stdinPipe[1] >= 0 { _ = pc_close(stdinPipe[1]) }
            unlink(stderrPath)
            throw HarnessError("cannot start \(executable): errno \(result)")
        }
        pid = childPID
        var descriptor: Int32 = -1
        pidfd = pc_pidfd_open(childPID, &descriptor) == 0 ? descriptor : -1
        stdinWriteEnd = stdinPipe[1]
        stdoutReadEnd = stdoutPipe[0]
        if case .bytes(let bytes) = input {
            try write(toStandardInput: bytes)
            closeStandardInput()
        }
    }

    deinit {
        stop()
        _ = pc_close(stdoutReadEnd)
        if pidfd >= 0 { _ = pc_close(pidfd) }
        if unreadStderr >= 0 { _ = pc_close(unreadStderr) }
        unlink(stderrPath)
    }

    // MARK: - Input

    /// Writes `bytes` to the program's stdin pipe.
    func write(toStandardInput bytes: [UInt8]) throws {
        guard stdinWriteEnd >= 0 else { throw HarnessError("stdin is not an open pipe") }
        try Self.check("write", bytes.withUnsafeBytes { pc_write_all(stdinWriteEnd, $0.baseAddress, $0.count) })
    }

    /// Closes the stdin pipe: the program reads end of input.
    func closeStandardInput() {
        if stdinWriteEnd >= 0 { _ = pc_close(stdinWriteEnd) }
        stdinWriteEnd = -1
    }

    // MARK: - Output

    /// The next line of stdout without its newline; nil at end of output or when
    /// `timeout` seconds pass first.
    func readLine(timeout: Double) -> String? {
        let deadline = TestClock.now() + timeout
        while true {
            if let newline = stdoutPending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: stdoutPending[..<newline], as: UTF8.self)
                stdoutPending.removeSubrange(...newline)
                return line
            }
            if stdoutEnded || !fillStdout(until: deadline) { return nil }
        }
    }

    /// Everything the program writes to stdout until it closes it (at exit), or what
    /// came within `timeout` seconds.
    func readStandardOutput(timeout: Double) -> [UInt8] {
        let deadline = TestClock.now() + timeout
        while !stdoutEnded && fillStdout(until: deadline) {}
        defer { stdoutPending.removeAll() }
        return stdoutPending
    }

    /// What the program has written to stderr so far.
    func standardError() -> String {
        String(decoding: FileSystem.contents(ofFile: stderrPath) ?? [], as: UTF8.self)
    }

    /// The bytes waiting in the `.unreadPipe` (0 for a file): 4096 once it is full.
    func unreadStandardErrorBytes() -> Int {
        guard unreadStderr >= 0 else { return 0 }
        var count: Int32 = 0
        return ioctl(unreadStderr, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
    }

    /// Waits up to `timeout` seconds for stderr to hold a line containing `text`;
    /// returns that line.
    @discardableResult
    func waitForStandardError(containing text: String, timeout: Double) -> String? {
        var found: String?
        _ = TestClock.waitUntil(timeout: timeout) {
            found = standardError().split(separator: "\n").first { $0.contains(text) }.map(String.init)
            return found != nil
        }
        return found
    }

    /// Reads what stdout has ready, waiting until `deadline`; false at timeout.
    private func fillStdout(until deadline: Double) -> Bool {
        let left = max(0, Int32((deadline - TestClock.now()) * 1000))
        var revents: Int16 = 0
        guard pc_poll_one(stdoutReadEnd, Int16(POLLIN), left, &revents) == 0, revents != 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        var count = 0
        let result = chunk.withUnsafeMutableBytes { pc_read(stdoutReadEnd, $0.baseAddress, $0.count, &count) }
        if result != 0 || count == 0 {
            stdoutEnded = true
        } else {
            stdoutPending += chunk[0..<count]
        }
        return true
    }

    // MARK: - Life

    /// Sends `signal` to the program, unless it has already been reaped.
    func send(signal: Int32) {
        guard status == nil else { return }
        _ = pc_signal_child(pid, pidfd, signal)
    }

    /// Waits up to `timeout` seconds for the program to exit and reaps it; nil at timeout.
    @discardableResult
    func waitForExit(timeout: Double) -> pc_exit_status? {
        if let status { return status }
        var ended = false
        guard pc_wait_ended(pid, pidfd, Int32(timeout * 1000), &ended) == 0, ended else { return nil }
        // WNOHANG: a wait here never blocks, whatever the poll said.
        var exitStatus = pc_exit_status()
        guard pc_try_wait(pid, &ended, &exitStatus) == 0, ended else { return nil }
        status = exitStatus
        return exitStatus
    }

    /// The exit code once the program has exited normally within `timeout` seconds;
    /// nil at timeout, -N when signal N ended it.
    func exitCode(timeout: Double) -> Int32? {
        guard let status = waitForExit(timeout: timeout) else { return nil }
        return status.exited ? status.code : -status.signal
    }

    /// Ends the program if it still runs (SIGTERM, then SIGKILL after 3 s) and reaps it.
    /// Every wait is bounded: a test never hangs the suite, even when the pidfd no longer
    /// reaches the program.
    func stop() {
        closeStandardInput()
        guard status == nil else { return }
        send(signal: SIGTERM)
        if waitForExit(timeout: 3) != nil { return }
        send(signal: SIGKILL)
        if waitForExit(timeout: 3) != nil { return }
        // The SIGKILL did not arrive: the pidfd was closed under us (and perhaps reused).
        // The program is our unreaped child, so its pid cannot have been reused: kill(2)
        // by pid is safe here, and the wait polls the pid, not the descriptor.
        _ = pc_signal_child(pid, -1, SIGKILL)
        var ended = false
        var exitStatus = pc_exit_status()
        if pc_wait_ended(pid, -1, 5000, &ended) == 0, ended,
           pc_try_wait(pid, &ended, &exitStatus) == 0, ended {
            status = exitStatus
        }
    }

    // MARK: - Helpers

    private static func check(_ operation: String, _ result: Int32) throws {
        if result != 0 { throw HarnessError("\(operation): \(String(cString: strerror(result)))") }
    }
}
