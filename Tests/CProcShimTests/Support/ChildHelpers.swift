import CProcShim
import Testing

import Glibc

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

/// Whether close-on-exec is set on `fd`.
func isCloseOnExec(_ fd: Int32) -> Bool {
    let flags = fcntl(fd, F_GETFD)
    return flags >= 0 && flags & FD_CLOEXEC != 0
}

/// Reaps `pid` (see `reap`) and expects it to have exited with code 0: a child of these
/// tests reports the check that failed as its exit code.
func expectCleanExit(_ pid: pid_t, within seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) {
    let status = reap(pid, within: seconds, sourceLocation: sourceLocation)
    #expect(!status.signaled, "killed by signal \(status.signal)", sourceLocation: sourceLocation)
    #expect(status.exited && status.code == 0, "exit code \(status.code)", sourceLocation: sourceLocation)
}
