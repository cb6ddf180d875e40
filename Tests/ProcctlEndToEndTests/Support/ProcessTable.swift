import CProcShim
import ProcTestSupport

import Glibc

/// What /proc says about processes: a process's children and their states.
enum ProcessTable {
    /// Every child of `parent`, live or zombie.
    static func children(of parent: pid_t) -> [ProcStat] {
        FileSystem.entries(ofDirectory: "/proc").compactMap { name in
            guard let pid = pid_t(name), let stat = ProcStat(pid), stat.parent == parent else { return nil }
            return stat
        }
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

    /// The process among `pids` that holds the server's end of `connection`, a TCP
    /// connection to 127.0.0.1:`serverPort`: the socket /proc/net/tcp lists from that port to
    /// the connection's local port, found among each process's descriptors by its inode.
    static func holder(of connection: TestConnection, serverPort: Int, among pids: [pid_t]) -> pid_t? {
        guard let clientPort = connection.localPort,
              let table = FileSystem.contents(ofFile: "/proc/net/tcp") else { return nil }
        // "  sl  local_address rem_address   st ... uid  timeout inode", addresses as HEX:PORT.
        func port(_ address: Substring) -> Int? { address.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
        let inode = String(decoding: table, as: UTF8.self).split(separator: "\n").dropFirst().lazy
            .map { $0.split(separator: " ") }
            .first { $0.count > 9 && port($0[1]) == serverPort && port($0[2]) == clientPort }
            .map { String($0[9]) }
        guard let inode, inode != "0" else { return nil }
        return pids.first { holdsDescriptor(linkingTo: "socket:[\(inode)]", pid: $0) }
    }

    /// Whether one of `pid`'s descriptors is a link to `target` (/proc/PID/fd).
    private static func holdsDescriptor(linkingTo target: String, pid: pid_t) -> Bool {
        let path = "/proc/\(pid)/fd"
        var link = [CChar](repeating: 0, count: 256)
        return FileSystem.entries(ofDirectory: path).contains { name in
            let length = readlink("\(path)/\(name)", &link, link.count - 1)
            return length > 0 && String(decoding: link[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) == target
        }
    }
}
