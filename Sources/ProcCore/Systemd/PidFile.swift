import CProcShim
import SystemPackage

import Glibc

/// A file that holds this process's pid, for service managers and scripts (`ServerConfiguration.pidFile`).
///
/// Written whole or not at all (a temporary file renamed over it), and removed only while
/// it still holds this process's pid: a server that has handed over to a new binary, which
/// wrote its own pid there, leaves the file alone.
///
/// The temporary file has an unpredictable name in the pid file's folder and is created
/// only if nothing has that name (`O_EXCL`, `O_NOFOLLOW`): whoever else can write to the
/// folder cannot have the server follow a symlink they planted, or truncate a file. A pid
/// file path that is itself a symlink is replaced by the new file (rename replaces the
/// link, never its target).
public struct PidFile: Sendable {
    /// Where the file is.
    public let path: String

    /// A pid file at `path`; nothing is written until `write()`.
    public init(path: String) {
        self.path = path
    }

    /// Checks, without touching `path`, that `write()` can succeed: creates and removes a
    /// temporary file as `write()` would. Throws as `write()` does.
    public func checkWritable() throws(ProcessError) {
        let (file, temporary) = try createTemporaryFile()
        try? file.close()
        unlink(temporary)
    }

    /// Writes this process's pid and a newline. Throws when the folder is not writable.
    public func write() throws(ProcessError) {
        let (file, temporary) = try createTemporaryFile()
        do {
            defer { try? file.close() }
            _ = try file.writeAll("\(getpid())\n".utf8)
        } catch {
            unlink(temporary)
            throw ProcessError(.systemCall, operation: "write pid file \(path)", errno: error as? Errno)
        }
        if rename(temporary, path) != 0 {
            let failure = errno
            unlink(temporary)
            throw .systemCall("write pid file \(path)", failure)
        }
    }

    /// How many names `createTemporaryFile` tries: another file having a random 64-bit
    /// name is someone guessing, and a few tries end that game.
    private static var temporaryNameAttempts: Int { 8 }

    /// Creates a new file next to `path`, readable by all, under a random name (the
    /// system's generator: getrandom); never opens a name that exists, nor a symlink.
    private func createTemporaryFile() throws(ProcessError) -> (FileDescriptor, String) {
        var failure = Errno.fileExists
        for _ in 0..<Self.temporaryNameAttempts {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let temporary = "\(path).\(suffix).tmp"
            do {
                let file = try FileDescriptor.open(
                    temporary, .writeOnly, options: [.create, .exclusiveCreate, .noFollow, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
                return (file, temporary)
            } catch {
                failure = error as? Errno ?? .ioError
                if failure != .fileExists { break }
            }
        }
        throw ProcessError(.systemCall, operation: "write pid file \(path)", errno: failure)
    }

    /// The pid the file holds, or nil when it is missing or holds no pid.
    public func readPID() -> pid_t? {
        guard let file = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec]) else { return nil }
        defer { try? file.close() }
        var buffer = [UInt8](repeating: 0, count: 32)
        guard let count = try? buffer.withUnsafeMutableBytes({ try file.read(into: $0) }) else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").first
        return text.flatMap { pid_t($0) }
    }

    /// Removes the file if it holds this process's pid; returns whether it did.
    @discardableResult
    public func removeIfOwned() -> Bool {
        guard readPID() == getpid() else { return false }
        return unlink(path) == 0
    }
}
