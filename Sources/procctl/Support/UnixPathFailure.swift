import ProcCore

import Glibc

/// Why `serve --unix PATH` could not listen, in one line that says what is at the path
/// (the listener's errno values, as `SocketListener` documents them).
enum UnixPathFailure {
    /// The reason for `error`, a failure to listen on the Unix socket `path`.
    static func reason(_ error: ServerError, path: String) -> String {
        switch error.errno?.rawValue {
        case ENAMETOOLONG: "the path is \(path.utf8.count) bytes; a Unix socket's path holds at most 107"
        case ENOENT: "no such directory: \(directory(of: path))"
        case EADDRINUSE: path.hasPrefix("@") ? "the abstract name is taken" : "a live server listens on it (it accepted a connection); stop that server first"
        case EISDIR: "it is a directory; not removing it"
        case EEXIST: "it exists and is not a socket; not removing it"
        default: error.reason
        }
    }

    /// The directory `path` is in: what comes before its last `/`, or `.`.
    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
