import Glibc

/// The C standard streams that Swift's `print` writes through.
package enum StandardStreams {
    /// Writes out what stdout and stderr hold (fflush(NULL)), so that a line printed to a
    /// pipe reaches its reader now, not when the buffer fills or the process exits.
    package static func flush() {
        fflush(nil)
    }
}
