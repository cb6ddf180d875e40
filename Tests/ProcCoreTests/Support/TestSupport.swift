import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// Kills and joins `child` whatever state it is in; for `defer`, so that no test leaves
/// a process behind even when an expectation fails.
func stop(_ child: ChildProcess) {
    try? child.kill()
    _ = try? child.join(timeout: .seconds(10))
}

/// Joins `child`, waiting at most `seconds`; a child still running then is killed and
/// the test fails.
func finish(_ child: ChildProcess, within seconds: Int64 = 10, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        if try !child.join(timeout: .seconds(seconds)) {
            Issue.record("\(child.name) still running after \(seconds) s; killed", sourceLocation: sourceLocation)
            stop(child)
        }
    } catch {
        Issue.record("join failed: \(error)", sourceLocation: sourceLocation)
    }
}

/// The `ServerError` that `body` throws, or nil (another error is recorded as an issue).
func serverError(from body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ServerError? {
    thrown(ServerError.self, from: body, sourceLocation: sourceLocation)
}

/// The error of type `type` that `body` throws, or nil when it throws none; an error of
/// another type is recorded as an issue.
private func thrown<Failure: Error>(_ type: Failure.Type, from body: () throws -> Void, sourceLocation: SourceLocation) -> Failure? {
    do {
        try body()
        return nil
    } catch let failure as Failure {
        return failure
    } catch {
        Issue.record("not a \(Failure.self): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The ProcessError thrown by `body`, or nil when it throws none. Any other error
/// fails the test: ProcCore throws ProcessError only (and `ServerError` from a server's start).
func processError(from body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ProcessError? {
    thrown(ProcessError.self, from: body, sourceLocation: sourceLocation)
}

/// Seconds elapsed since `start` (a pc_monotonic_ns reading).
func seconds(since start: Int64) -> Double {
    Double(pc_monotonic_ns() - start) / 1e9
}

/// Writes pids to `fd`, from a child, for the parent to read with `readPIDs`.
func writePIDs(_ pids: [pid_t], to fd: Int32) -> Bool {
    var values = pids
    return values.withUnsafeMutableBytes { pc_write_all(fd, $0.baseAddress, $0.count) } == 0
}

/// Reads `count` pids written by `writePIDs`, waiting at most 10 s.
func readPIDs(_ count: Int, from fd: Int32) -> [pid_t]? {
    let bytes = read(fd, exactly: count * MemoryLayout<pid_t>.size)
    guard bytes.count == count * MemoryLayout<pid_t>.size else { return nil }
    return bytes.withUnsafeBytes { Array($0.bindMemory(to: pid_t.self)) }
}

/// The program a process runs (the target of /proc/PID/exe), nil when it is gone.
private func executable(of pid: pid_t) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Kills `pid` if it still exists and runs this test binary (so a reused pid of some
/// other program is never hit); for grandchildren a test cannot join. The command
/// name would not do: a forked child inherits the forking thread's name.
func killIfOurs(_ pid: pid_t) {
    guard let mine = executable(of: getpid()), executable(of: pid) == mine else { return }
    kill(pid, SIGKILL)
}

/// Whether waitpid from this process says `pid` is no child of ours (it was reaped).
func isNotOurChild(_ pid: pid_t) -> Bool {
    waitpid(pid, nil, WNOHANG) == -1 && errno == ECHILD
}
