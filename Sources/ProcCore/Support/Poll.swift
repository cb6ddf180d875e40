import CProcShim

import Glibc

/// Waiting on several descriptors at once (poll(2)), for a loop that watches a child's
/// pidfd, a signal pipe and sockets together.
package enum Poll {
    /// Waits until at least one of `descriptors` has input (or is at its end or in error:
    /// a read will not block), or `timeout` runs out (nil: for ever). Returns, for each
    /// descriptor in order, whether it is ready; a negative descriptor is skipped and never
    /// ready. EINTR is retried.
    package static func waitForInput(on descriptors: [Int32], timeout: Duration?) throws(ProcessError) -> [Bool] {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let milliseconds = timeout.map { $0.roundedUpMilliseconds } ?? -1
        var ready: Int32 = 0
        let result = entries.withUnsafeMutableBufferPointer {
            pc_poll($0.baseAddress, Int32($0.count), milliseconds, &ready)
        }
        try check("poll", result)
        return entries.map { $0.fd >= 0 && $0.revents != 0 }
    }
}
