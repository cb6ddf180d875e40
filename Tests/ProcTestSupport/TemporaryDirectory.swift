import ProcTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed with the files in it when the value goes.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/procctl-e2e-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
