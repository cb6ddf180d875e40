import CProcShim
import SystemPackage

import Glibc

extension FileDescriptor {
    /// Whether the descriptor is a terminal (isatty(3)).
    package var isTerminal: Bool {
        isatty(rawValue) == 1
    }

    /// Reads what has arrived, up to `buffer.count` bytes, waiting for at least one;
    /// 0 at end of file. EINTR is retried.
    package func readAvailable(into buffer: UnsafeMutableRawBufferPointer) throws(ProcessError) -> Int {
        var count = 0
        try check("read", pc_read(rawValue, buffer.baseAddress, buffer.count, &count))
        return count
    }

    /// Writes every byte of `bytes`, finishing partial writes; EINTR is retried. EPIPE
    /// when the reader has gone (from a pipe, only where SIGPIPE is ignored, as in
    /// children forked through ProcCore).
    package func writeAllBytes(_ bytes: UnsafeRawBufferPointer) throws(ProcessError) {
        try check("write", pc_write_all(rawValue, bytes.baseAddress, bytes.count))
    }

    /// Closes the descriptor, ignoring errors (a descriptor closed once, whatever close(2) says).
    package func closeQuietly() {
        _ = pc_close(rawValue)
    }
}
