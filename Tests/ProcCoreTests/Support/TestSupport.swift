import CProcShim
import ProcCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

/// The ProcessError thrown by `body`, or nil when it throws none. Any other error
/// fails the test: ProcCore throws ProcessError only.
func processError(from body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ProcessError? {
    do {
        try body()
        return nil
    } catch let failure as ProcessError {
        return failure
    } catch {
        Issue.record("not a ProcessError: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Seconds elapsed since `start` (a pc_monotonic_ns reading).
func seconds(since start: Int64) -> Double {
    Double(pc_monotonic_ns() - start) / 1e9
}

/// A close-on-exec pipe: (read end, write end).
func makePipe() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    try #require(pc_pipe(&fds) == 0)
    return (fds[0], fds[1])
}

/// Reads exactly `length` bytes, waiting at most `seconds`; fewer on timeout or end of file.
func read(_ fd: Int32, exactly length: Int, within seconds: Double = 10) -> [UInt8] {
    let deadline = pc_monotonic_ns() + Int64(seconds * 1e9)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < length {
        let left = Int32(max(0, (deadline - pc_monotonic_ns()) / 1_000_000))
        var revents: Int16 = 0
        guard pc_poll_one(fd, Int16(POLLIN), left, &revents) == 0, revents != 0 else { break }
        var count = 0
        let wanted = min(chunk.count, length - bytes.count)
        let rc = chunk.withUnsafeMutableBytes { pc_read(fd, $0.baseAddress, wanted, &count) }
        if rc != 0 || count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

/// Reads what is waiting in `fd` without blocking, once its writers have ended: a copy
/// of the write end in a process another test forked cannot hold this up.
func drain(_ fd: Int32) -> String {
    _ = pc_set_nonblocking(fd, true)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    for _ in 0..<256 {
        var count = 0
        let rc = chunk.withUnsafeMutableBytes { pc_read(fd, $0.baseAddress, $0.count, &count) }
        if rc != 0 || count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
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

/// The fields of /proc/PID/stat after the command name: [state, ppid, ...]; nil when
/// there is no such process.
private func statFields(_ pid: pid_t) -> [Substring]? {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    var count = 0
    guard buffer.withUnsafeMutableBytes({ pc_read(fd, $0.baseAddress, $0.count, &count) }) == 0 else { return nil }
    let stat = String(decoding: buffer[0..<count], as: UTF8.self)
    // The command name may hold spaces and parentheses: the fields follow the last ')'.
    guard let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
}

/// The state letter of /proc/PID/stat (R, S, Z...), nil when there is no such process.
func procState(_ pid: pid_t) -> Character? {
    statFields(pid)?.first?.first
}

/// Waits up to `seconds` until `condition` holds; returns whether it did.
func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = pc_monotonic_ns() + Int64(seconds * 1e9)
    repeat {
        if condition() { return true }
        usleep(5_000)
    } while pc_monotonic_ns() < deadline
    return condition()
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
