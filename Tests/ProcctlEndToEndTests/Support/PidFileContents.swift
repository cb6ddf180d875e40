import ProcTestSupport

import Glibc

/// A pid file's number, read as a script would.
enum PidFileContents {
    static func pid(at path: String) -> pid_t? {
        guard let bytes = FileSystem.contents(ofFile: path) else { return nil }
        return pid_t(String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? "")
    }
}
