import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about processes: a process's children and their states.
enum ProcessTable {
    /// One entry of /proc/PID/stat.
    struct Entry {
        let pid: pid_t
        let parent: pid_t
        /// R, S, D, Z...
        let state: Character
    }

    /// Every child of `parent`, live or zombie.
    static func children(of parent: pid_t) -> [Entry] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [Entry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let stat = entryFor(pid), stat.parent == parent else { continue }
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
        entryFor(pid) != nil
    }

    /// The number of open descriptors of `pid`.
    static func openDescriptors(of pid: pid_t) -> Int? {
        var count: Int32 = 0
        return pc_count_open_fds(pid, &count) == 0 ? Int(count) : nil
    }

    /// Parses /proc/PID/stat: "pid (comm) state ppid ...", comm possibly holding spaces or parentheses.
    static func entryFor(_ pid: pid_t) -> Entry? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = pc_close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        var count = 0
        guard buffer.withUnsafeMutableBytes({ pc_read(fd, $0.baseAddress, $0.count, &count) }) == 0, count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return Entry(pid: pid, parent: parent, state: state)
    }
}
