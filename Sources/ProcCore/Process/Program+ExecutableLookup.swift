import SystemPackage

import Glibc

extension Program {
    /// The program with `executable` resolved to the path that would run: looked up in
    /// `PATH` (as execvp does; `/usr/bin:/bin` when PATH is unset) when it has no slash,
    /// and checked to be an executable regular file. Throws `.cannotExecute` naming the
    /// program (errno ENOENT, EACCES) when it cannot be run, so that a server can refuse
    /// it at start instead of failing at every connection.
    public func resolvingExecutable() throws(ProcessError) -> Program {
        var resolved = self
        resolved.executable = try Self.executablePath(for: executable)
        return resolved
    }

    private static func executablePath(for executable: String) throws(ProcessError) -> String {
        guard !executable.isEmpty, !executable.utf8.contains(0) else {
            throw ProcessError(.cannotExecute, operation: "'\(executable)'", errno: .noSuchFileOrDirectory)
        }
        if executable.contains("/") {
            let result = check(executable)
            guard result == 0 else { throw ProcessError(.cannotExecute, operation: executable, errno: Errno(rawValue: result)) }
            return executable
        }
        let searchPath = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        var firstRefusal: Int32 = 0
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            // An empty entry means the working directory, as for execvp.
            let path = directory.isEmpty ? executable : "\(directory)/\(executable)"
            let result = check(path)
            if result == 0 { return path }
            if result != ENOENT && result != ENOTDIR && firstRefusal == 0 { firstRefusal = result }
        }
        let reason = firstRefusal != 0 ? firstRefusal : ENOENT
        throw ProcessError(.cannotExecute, operation: executable, errno: Errno(rawValue: reason))
    }

    /// 0 when `path` is an executable regular file, else why not (ENOENT, EACCES).
    private static func check(_ path: String) -> Int32 {
        var info = stat()
        if stat(path, &info) != 0 { return errno }
        if (info.st_mode & S_IFMT) != S_IFREG { return EACCES }
        if access(path, X_OK) != 0 { return errno }
        return 0
    }
}
