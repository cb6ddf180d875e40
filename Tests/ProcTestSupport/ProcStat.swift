import CProcShim

import Glibc

/// What /proc/PID/stat says about a process: "pid (comm) state ppid ...", the command
/// name possibly holding spaces or parentheses.
public struct ProcStat {
    public let pid: pid_t
    /// R, S, D, Z...
    public let state: Character
    public let parent: pid_t
    /// The process group.
    public let processGroup: pid_t

    /// Reads /proc/`pid`/stat; nil when there is no such process (zombies included).
    public init?(_ pid: pid_t) {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = pc_close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        var count = 0
        guard buffer.withUnsafeMutableBytes({ pc_read(fd, $0.baseAddress, $0.count, &count) }) == 0, count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        // The fields follow the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2]) else { return nil }
        self.pid = pid
        self.state = state
        self.parent = parent
        self.processGroup = group
    }
}

/// The state letter of /proc/PID/stat (R, S, Z...), nil when there is no such process.
public func procState(_ pid: pid_t) -> Character? {
    ProcStat(pid)?.state
}
