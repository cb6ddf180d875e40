import CProcShim

import Glibc

/// What the tests read of the file system and /proc: a file's bytes, a directory's names.
public enum FileSystem {
    /// The bytes of the file at `path`; nil when it cannot be opened.
    public static func contents(ofFile path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = pc_close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var count = 0
            let result = chunk.withUnsafeMutableBytes { pc_read(fd, $0.baseAddress, $0.count, &count) }
            if result != 0 || count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// The names in the directory at `path`, without `.` and `..`, in the order readdir
    /// gives them; empty when it cannot be opened.
    public static func entries(ofDirectory path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
