import CProcShim
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A file that holds this process's pid, for service managers and scripts (`--pid-file`).
///
/// Written whole or not at all (a temporary file renamed over it), and removed only while
/// it still holds this process's pid: a server that has handed over to a new binary, which
/// wrote its own pid there, leaves the file alone.
public struct PidFile: Sendable {
    /// Where the file is.
    public let path: String

    /// A pid file at `path`; nothing is written until `write()`.
    public init(path: String) {
        self.path = path
    }

    /// Checks, without touching `path`, that `write()` can succeed: creates and removes
    /// the temporary file it would write. Throws as `write()` does.
    public func checkWritable() throws(ProcessError) {
        let temporary = path + ".\(getpid()).tmp"
        do {
            let file = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: [.ownerReadWrite])
            try? file.close()
            unlink(temporary)
        } catch let error as Errno {
            throw ProcessError(.systemCall, operation: "write pid file \(path)", errno: error)
        } catch {
            throw ProcessError(.systemCall, operation: "write pid file \(path)")
        }
    }

    /// Writes this process's pid and a newline. Throws when the folder is not writable.
    public func write() throws(ProcessError) {
        let temporary = path + ".\(getpid()).tmp"
        do {
            let file = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .truncate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
            defer { try? file.close() }
            _ = try file.writeAll("\(getpid())\n".utf8)
        } catch let error as Errno {
            throw ProcessError(.systemCall, operation: "write pid file \(path)", errno: error)
        } catch {
            throw ProcessError(.systemCall, operation: "write pid file \(path)")
        }
        if rename(temporary, path) != 0 {
            let failure = errno
            unlink(temporary)
            throw .systemCall("write pid file \(path)", failure)
        }
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
