import CProcShim
import SystemPackage

/// Signals delivered as bytes on a pipe, for a poll loop: a C handler writes each caught
/// signal's number to the pipe, so no Swift code runs in a signal handler.
///
/// There is one pipe per process; installing again adds signals to it. A forked child
/// gets default dispositions back and no pipe (see `pc_fork`).
package struct SignalPipe: Sendable {
    /// The pipe's read end: non-blocking and close-on-exec; readable when a signal came.
    package let descriptor: FileDescriptor

    /// Catches `signals` from now on and routes them to the pipe
    /// (`pc_signal_pipe_install`, over sigaction(2)).
    package static func install(catching signals: [Int32]) throws(ProcessError) -> SignalPipe {
        var readEnd: Int32 = -1
        try check("sigaction", pc_signal_pipe_install(signals, Int32(signals.count), &readEnd))
        return SignalPipe(descriptor: FileDescriptor(rawValue: readEnd))
    }

    /// The signals caught since the last call, oldest first; empty when none came.
    package func drain() -> [Int32] {
        var caught: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            var count: Int32 = 0
            let result = buffer.withUnsafeMutableBufferPointer {
                pc_signal_pipe_drain($0.baseAddress, Int32($0.count), &count)
            }
            guard result == 0, count > 0 else { return caught }
            caught += buffer[0..<Int(count)].map { Int32($0) }
        }
    }
}
