import Glibc

/// A fresh directory under /tmp, removed with the files in it when the value goes.
public final class TemporaryDirectory {
    /// The directory's absolute path.
    public let path: String

    /// Makes the directory.
    public init() throws {
        var template = Array("/tmp/procctl-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    deinit {
        for name in entries() { unlink(path + "/" + name) }
        rmdir(path)
    }

    /// The names in the directory, sorted, without `.` and `..`.
    public func entries() -> [String] {
        FileSystem.entries(ofDirectory: path).sorted()
    }
}
