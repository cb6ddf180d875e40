import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// What a forked child does with its one connection: echo every byte upper-cased until
/// the peer closes, resets or stays idle too long.
struct EchoSession {
    /// Bytes read (and written back) at a time.
    static let bufferSize = 64 * 1024

    let connection: TCPConnection
    /// Where bytes are read and upper-cased: allocated once by the parent and never
    /// touched there, so the child's first write to it maps fresh zero pages instead of
    /// running malloc (whose consolidation of the parent's free lists shows in profiles).
    let buffer: UnsafeMutableRawBufferPointer
    /// How long a read or write may wait; nil waits for ever.
    let idleTimeout: Duration?
    /// Whether to leave out the line about an idle connection.
    let quiet: Bool

    /// Serves the connection to its end, closes it, and returns the child's exit code:
    /// 0 when the peer closed, reset or idled out, 1 for any other failure (logged).
    func run() -> Int32 {
        defer { connection.close() }
        do {
            try connection.setTimeout(idleTimeout)
        } catch {
            return failure(error)
        }
        while true {
            do {
                let count = try connection.read(into: buffer)
                if count == 0 { return 0 }
                let received = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                uppercaseASCIILetters(received)
                try connection.writeAll(UnsafeRawBufferPointer(received))
            } catch {
                return ending(error)
            }
        }
    }

    private func ending(_ error: ProcessError) -> Int32 {
        switch error.errno {
        case .resourceTemporarilyUnavailable?:
            // SO_RCVTIMEO or SO_SNDTIMEO ran out: the peer neither sent nor read.
            if !quiet, let idleTimeout {
                Terminal.log("child \(getpid()): connection idle for \(idleTimeout.secondsText) s, closed")
            }
            return 0
        case .connectionReset?, .brokenPipe?, .timedOut?:
            // The peer went away: its business, not an error of the server.
            return 0
        default:
            return failure(error)
        }
    }

    private func failure(_ error: ProcessError) -> Int32 {
        Terminal.log("procctl: child \(getpid()): \(error)")
        return 1
    }
}
