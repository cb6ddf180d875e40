import ProcTestSupport
import Testing

import Glibc

/// The seed's Python server and client (../shared/seed beside the package), copied with
/// their hard-coded port 8080 changed, so tests can run them side by side with procctl.
enum SeedPrograms {
    /// ../shared/seed, next to the package's root.
    static let directory = Procctl.packageRoot.parentDirectory + "/shared/seed"

    /// Whether the seed's programs and a python3 to run them are here.
    static let available: Bool = {
        access(directory + "/server.py", R_OK) == 0 && access(directory + "/client.py", R_OK) == 0 && python3 != nil
    }()

    /// Why the interoperability tests are skipped where they are.
    static let skipReason: Comment = "needs ../shared/seed/{server,client}.py beside the package and python3 in PATH"

    /// python3 from PATH.
    static let python3: String? = {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where access("\(directory)/python3", X_OK) == 0 {
            return "\(directory)/python3"
        }
        return nil
    }()

    /// A copy of seed program `name` ("server.py", "client.py") with port 8080 replaced
    /// by `port`, in a new temporary directory; returns its path.
    static func copy(_ name: String, port: Int) throws -> String {
        guard let bytes = FileSystem.contents(ofFile: directory + "/" + name) else {
            throw HarnessError("cannot read \(directory)/\(name)")
        }
        let source = String(decoding: bytes, as: UTF8.self)
        guard source.contains("8080") else { throw HarnessError("\(name) no longer mentions port 8080") }
        let text = source.replacing("8080", with: "\(port)")
        var template = Array("/tmp/procctl-seed-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        let path = String(cString: made) + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HarnessError("cannot write \(path)") }
        defer { close(fd) }
        let copy = Array(text.utf8)
        guard copy.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == copy.count else {
            throw HarnessError("short write to \(path)")
        }
        return path
    }

    /// Removes a copy made by `copy(_:port:)` and its directory.
    static func remove(_ path: String) {
        unlink(path)
        rmdir(path.parentDirectory)
    }
}
