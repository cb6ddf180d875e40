import CProcShim
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Forks with pc_fork; the child runs `body` (C calls only, as far as possible) and
/// leaves through _exit with the code it returns, so no test-runner code runs there.
func forkChild(_ body: () -> Int32) throws -> pid_t {
    var pid: pid_t = -1
    let rc = pc_fork(&pid)
    try #require(rc == 0, "pc_fork failed: \(rc)")
    if pid == 0 { _exit(body()) }
    return pid
}

/// Waits for `pid` to end for at most `seconds`, reaping it. A child still running at
/// the deadline is killed (and the test fails), so no test leaves a process behind.
@discardableResult
func reap(_ pid: pid_t, within seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) -> pc_exit_status {
    let deadline = pc_monotonic_ns() + Int64(seconds * 1e9)
    var status = pc_exit_status()
    while pc_monotonic_ns() < deadline {
        var ended = false
        let rc = pc_try_wait(pid, &ended, &status)
        if rc != 0 {
            Issue.record("waitpid(\(pid)) failed: \(rc)", sourceLocation: sourceLocation)
            return status
        }
        if ended { return status }
        usleep(2_000)
    }
    Issue.record("child \(pid) still running after \(seconds) s; killed", sourceLocation: sourceLocation)
    Glibc.kill(pid, SIGKILL)
    _ = pc_wait(pid, &status)
    return status
}

/// Kills and reaps `pid` if it is still an unreaped child of this process; for `defer`.
func stop(_ pid: pid_t) {
    var ended = false
    var status = pc_exit_status()
    guard pc_try_wait(pid, &ended, &status) == 0, !ended else { return }
    Glibc.kill(pid, SIGKILL)
    _ = pc_wait(pid, &status)
}

/// Spawns `argv[0]` (a path) with `argv`; returns the errno of pc_spawn and the pid.
func spawn(_ argv: [String], options: pc_spawn_options? = nil) -> (rc: Int32, pid: pid_t) {
    let cStrings = argv.map { strdup($0) } + [nil]
    defer { cStrings.forEach { free($0) } }
    var pid: pid_t = -1
    var opts = options ?? { var o = pc_spawn_options(); pc_spawn_options_init(&o); return o }()
    let rc = cStrings.withUnsafeBufferPointer { pc_spawn(argv[0], $0.baseAddress, &opts, &pid) }
    return (rc, pid)
}

/// Reads everything that is waiting in `fd` without blocking (once the writers have
/// ended): immune to a copy of the write end held by a process another test forked.
func drain(_ fd: Int32) -> [UInt8] {
    _ = pc_set_nonblocking(fd, true)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    for _ in 0..<1024 {
        var count = 0
        let rc = chunk.withUnsafeMutableBytes { pc_read(fd, $0.baseAddress, $0.count, &count) }
        if rc != 0 || count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

/// Reads exactly `length` bytes, waiting at most `seconds` for them; fewer on timeout or EOF.
func read(_ fd: Int32, exactly length: Int, within seconds: Double = 10) -> [UInt8] {
    let deadline = pc_monotonic_ns() + Int64(seconds * 1e9)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
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

/// A close-on-exec pipe: (read end, write end).
func makePipe() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    try #require(pc_pipe(&fds) == 0)
    return (fds[0], fds[1])
}

/// Whether close-on-exec is set on `fd`.
func isCloseOnExec(_ fd: Int32) -> Bool {
    let flags = fcntl(fd, F_GETFD)
    return flags >= 0 && flags & FD_CLOEXEC != 0
}

/// The text of some bytes.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// The state letter of /proc/PID/stat (R, S, Z...), nil when there is no such process.
func procState(_ pid: pid_t) -> Character? {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    var count = 0
    guard buffer.withUnsafeMutableBytes({ pc_read(fd, $0.baseAddress, $0.count, &count) }) == 0 else { return nil }
    let stat = text(Array(buffer[0..<count]))
    // The command name may hold spaces and parentheses: the state follows the last ')'.
    guard let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].first { $0 != " " }
}
