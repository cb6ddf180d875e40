import CProcShim

/// Reads a connection line by line, for line-based protocols: each line as a String
/// (UTF-8, invalid bytes replaced), without its `\n` (or `\r\n`).
///
/// ```swift
/// var lines = LineReader(connection)
/// while let line = try lines.next() { ... }
/// ```
///
/// It reads in blocks and keeps what follows a line for the next call, so it must be the
/// only reader of the connection. It reads the connection's descriptor and does not own
/// it: use it while the connection it was made from is open, as a handler does with the
/// connection it borrows.
public struct LineReader {
    private let descriptor: Int32
    private let maximumLineLength: Int
    private var pending: [UInt8] = []
    /// Where the next line starts in `pending`.
    private var start = 0
    private var ended = false

    /// A reader of `connection`; a line longer than `maximumLineLength` bytes is an error
    /// (`.invalidArgument`), so that a peer that never sends a newline cannot grow it.
    public init(_ connection: borrowing SocketConnection, maximumLineLength: Int = 64 * 1024) {
        self.descriptor = connection.rawDescriptor
        self.maximumLineLength = max(1, maximumLineLength)
    }

    /// The next line, or nil at the end of the stream; a last line without a newline is
    /// returned too. Throws what the reads throw (EAGAIN after an idle timeout, ECONNRESET).
    public mutating func next() throws(ProcessError) -> String? {
        var searched = start
        while true {
            if let newline = pending[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: pending[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            if ended {
                guard start < pending.count else { return nil }
                let line = String(decoding: pending[start...], as: UTF8.self)
                start = pending.count
                return line
            }
            guard pending.count - start <= maximumLineLength else {
                throw ProcessError(.invalidArgument, operation: "line longer than \(maximumLineLength) bytes")
            }
            // Drop what was returned already before reading more.
            if start > 0 {
                pending.removeFirst(start)
                start = 0
            }
            searched = pending.count
            try readMore()
        }
    }

    private mutating func readMore() throws(ProcessError) {
        let blockSize = 4096
        let oldCount = pending.count
        pending.append(contentsOf: repeatElement(0, count: blockSize))
        var count = 0
        let result = pending.withUnsafeMutableBytes { bytes in
            pc_read(descriptor, bytes.baseAddress! + oldCount, blockSize, &count)
        }
        if result != 0 {
            pending.removeLast(blockSize)
            throw .systemCall("read", result)
        }
        pending.removeLast(blockSize - count)
        if count == 0 { ended = true }
    }
}
