import CProcShim
import ProcTestSupport

import Glibc

/// What /proc says about processes: a process's children and their states.
enum ProcessTable {
    /// Every child of `parent`, live or zombie.
    static func children(of parent: pid_t) -> [ProcStat] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [ProcStat] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let stat = ProcStat(pid), stat.parent == parent else { continue }
            result.append(stat)
        }
        return result
    }

    /// The zombies among `parent`'s children.
    static func zombies(of parent: pid_t) -> Int {
        children(of: parent).filter { $0.state == "Z" }.count
    }

    /// Whether a process `pid` exists (zombies included).
    static func exists(_ pid: pid_t) -> Bool {
        ProcStat(pid) != nil
    }

    /// The number of open descriptors of `pid`.
    static func openDescriptors(of pid: pid_t) -> Int? {
        var count: Int32 = 0
        return pc_count_open_fds(pid, &count) == 0 ? Int(count) : nil
    }
}
