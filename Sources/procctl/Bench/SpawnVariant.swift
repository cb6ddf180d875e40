import CProcShim
import ProcCore

import Glibc

/// One way of making and reaping a child, timed by `procctl bench spawn`.
enum SpawnVariant: CaseIterable {
    /// ProcCore: `ChildProcess { }` started and joined.
    case childProcessFork
    /// The shim alone: pc_fork, pc_child_exit(0) in the child, pc_wait.
    case shimFork
    /// libc alone, called from Swift: fork, _exit(0), waitpid.
    case libcFork
    /// ProcCore: `ChildProcess(executing: Program("/bin/true"))` started and joined.
    case childProcessExec
    /// The shim alone: pc_spawn of /bin/true, pc_wait.
    case shimSpawn
    /// libc alone, called from Swift: posix_spawn of /bin/true with no attributes, waitpid.
    case libcSpawn
    /// ProcCore with the thread check off: `ChildProcess(threadPolicy: .allow) { }`, to
    /// show what counting /proc/self/task costs `childProcessFork`.
    case childProcessAllow

    /// The program the exec variants run.
    static let program = "/bin/true"

    /// The variant's name in reports and JSON keys.
    var label: String {
        switch self {
        case .childProcessFork, .childProcessExec: "childprocess"
        case .shimFork: "pc_fork"
        case .libcFork: "libc_fork"
        case .shimSpawn: "pc_spawn"
        case .libcSpawn: "libc_posix_spawn"
        case .childProcessAllow: "childprocess_allow"
        }
    }

    /// What the variant does, in words.
    var summary: String {
        switch self {
        case .childProcessFork: "ChildProcess { } start + join"
        case .shimFork: "pc_fork + pc_child_exit + pc_wait"
        case .libcFork: "fork + _exit + waitpid"
        case .childProcessExec: "ChildProcess(executing: /bin/true) start + join"
        case .shimSpawn: "pc_spawn(/bin/true) + pc_wait"
        case .libcSpawn: "posix_spawn(/bin/true) + waitpid"
        case .childProcessAllow: "ChildProcess(threadPolicy: .allow) { }"
        }
    }

    /// Makes one child, waits for it and returns how long that took in nanoseconds.
    /// Throws when the child could not be made or did not exit 0.
    func timeOneChild(arguments: CStringArray) throws -> Int64 {
        let started = pc_monotonic_ns()
        var exitedCleanly = false
        switch self {
        case .childProcessFork:
            let child = ChildProcess {}
            try child.start()
            try child.join()
            exitedCleanly = child.exitCode == 0
        case .childProcessExec:
            let child = ChildProcess(executing: Program(Self.program))
            try child.start()
            try child.join()
            exitedCleanly = child.exitCode == 0
        case .childProcessAllow:
            let child = ChildProcess(threadPolicy: .allow) {}
            try child.start()
            try child.join()
            exitedCleanly = child.exitCode == 0
        case .shimFork:
            var pid: pid_t = 0
            try Self.check("fork", pc_fork(&pid))
            if pid == 0 { pc_child_exit(0) }
            exitedCleanly = try Self.waitForExit(pid)
        case .libcFork:
            let pid = Glibc.fork()
            if pid < 0 { throw ProcessError.systemCall("fork", errno) }
            if pid == 0 { _exit(0) }
            exitedCleanly = try Self.waitForExit(pid)
        case .shimSpawn:
            var pid: pid_t = 0
            try Self.check("posix_spawn", pc_spawn(Self.program, arguments.pointers, nil, &pid))
            exitedCleanly = try Self.waitForExit(pid)
        case .libcSpawn:
            var pid: pid_t = 0
            try Self.check("posix_spawn", posix_spawn(&pid, Self.program, nil, nil, arguments.pointers, environ))
            exitedCleanly = try Self.waitForExit(pid)
        }
        let elapsed = pc_monotonic_ns() - started
        if !exitedCleanly { throw BenchFailure("\(summary): the child did not exit 0") }
        return elapsed
    }

    private static func waitForExit(_ pid: pid_t) throws(ProcessError) -> Bool {
        var status = pc_exit_status()
        try check("waitpid", pc_wait(pid, &status))
        return status.exited && status.code == 0
    }

    private static func check(_ operation: String, _ rc: Int32) throws(ProcessError) {
        if rc != 0 { throw .systemCall(operation, rc) }
    }
}
