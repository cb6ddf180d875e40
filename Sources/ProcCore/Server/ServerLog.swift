import SystemPackage

/// The server's log on stderr: per-connection lines gathered in one preallocated buffer
/// and written in one write when the loop goes back to waiting (`line`, `flush`), rare
/// lines written at once after them (`now`), and lines from children and workers
/// (`ServerLog.writeUnbuffered`), which cannot touch the buffer: it is not mapped there.
///
/// Two lines per connection through `Terminal.log` cost about 20 µs of the parent's
/// time per connection (String interpolation, concatenation and two writes, and the
/// heap pages they touch, each of which the next fork makes the parent copy). Here a
/// line is a few byte copies into one buffer that is never reallocated.
final class ServerLog {
    /// What the buffer holds before a line forces a write.
    private static let capacity = 16 * 1024
    /// The longest line `line(_:)` keeps: longer ones are cut (peer addresses and
    /// numbers are short; this only bounds a runaway).
    private static let maximumLine = 512

    /// The count of bytes gathered, then the bytes; all parent-only memory, since a
    /// stored property would be written on this object's heap page.
    private let memory: UnsafeMutableRawBufferPointer
    private let buffer: UnsafeMutableRawBufferPointer
    private let counter: UnsafeMutablePointer<Int>
    private let isParentOnly: Bool

    private var count: Int {
        get { counter.pointee }
        set { counter.pointee = newValue }
    }

    init() {
        // Children never write the parent's log lines: their memory is not theirs.
        let byteCount = 64 + Self.capacity
        if let parentOnly = ParentOnlyMemory.allocate(byteCount: byteCount) {
            memory = parentOnly
            isParentOnly = true
        } else {
            memory = .allocate(byteCount: byteCount, alignment: 64)
            isParentOnly = false
        }
        counter = memory.baseAddress!.initializeMemory(as: Int.self, repeating: 0, count: 1)
        buffer = UnsafeMutableRawBufferPointer(rebasing: memory[64...])
    }

    deinit {
        flush()
        if isParentOnly { ParentOnlyMemory.deallocate(memory) } else { memory.deallocate() }
    }

    /// Appends one line made by `build`, which appends its parts to the given writer.
    func line(_ build: (inout LineWriter) -> Void) {
        if Self.capacity - count < Self.maximumLine + 1 { flush() }
        var writer = LineWriter(base: buffer.baseAddress! + count, capacity: Self.maximumLine)
        build(&writer)
        count += writer.count
        buffer[count] = UInt8(ascii: "\n")
        count += 1
    }

    /// Writes what is gathered to stderr; a failed write (stderr closed) drops it.
    func flush() {
        guard count > 0 else { return }
        _ = try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        count = 0
    }

    /// Writes a rare line (an error, the limit, shutdown) at once, after the gathered ones,
    /// so that the log stays in order. The parent's only.
    func now(_ line: String) {
        flush()
        Self.writeUnbuffered(line)
    }

    /// Writes `line` to stderr in one write, from any process: a forked child or worker,
    /// whose copy of the buffer is not mapped, uses this.
    static func writeUnbuffered(_ line: String) {
        _ = try? FileDescriptor.standardError.writeAll((line + "\n").utf8)
    }

    /// Appends the parts of one line into the log's buffer.
    struct LineWriter {
        fileprivate let base: UnsafeMutableRawPointer
        fileprivate let capacity: Int
        fileprivate private(set) var count = 0

        /// Appends literal text.
        mutating func append(_ text: StaticString) {
            append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        /// Appends the UTF-8 of `text`.
        mutating func append(_ text: String) {
            for byte in text.utf8 {
                guard count < capacity else { return }
                base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
                count += 1
            }
        }

        /// Appends `peer` as `host:port`, `[host]:port` for IPv6.
        mutating func append(_ peer: Peer) {
            let isIPv6 = peer.host.utf8.contains(UInt8(ascii: ":"))
            if isIPv6 { append("[" as StaticString) }
            append(peer.host)
            append((isIPv6 ? "]:" : ":") as StaticString)
            append(peer.port)
        }

        /// Appends `number` in decimal.
        mutating func append<Number: BinaryInteger>(_ number: Number) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: any Int64 with its sign
            let magnitude = UInt64(number.magnitude)
            withUnsafeMutableBytes(of: &digits) { scratch in
                var index = scratch.count
                var rest = magnitude
                repeat {
                    index -= 1
                    scratch[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                } while rest > 0
                if number < 0 {
                    index -= 1
                    scratch[index] = UInt8(ascii: "-")
                }
                append(UnsafeRawBufferPointer(rebasing: scratch[index...]))
            }
        }

        private mutating func append(_ bytes: UnsafeRawBufferPointer) {
            let length = min(bytes.count, capacity - count)
            guard length > 0 else { return }
            (base + count).copyMemory(from: bytes.baseAddress!, byteCount: length)
            count += length
        }
    }
}
