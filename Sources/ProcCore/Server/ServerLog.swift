import SystemPackage

/// The server's log on stderr, in its configured format (`ServerLogFormat`): events
/// (`ServerLogEvent`) rendered as text lines or JSON objects. Per-connection events are
/// gathered in one preallocated buffer and written in one write when the loop goes back
/// to waiting (`record`, `flush`); rare ones are written at once after them (`now`,
/// `note`); children and workers write theirs with `fromAnyProcess`, which cannot touch
/// the buffer: it is not mapped there.
///
/// Two lines per connection through `Terminal.log` cost about 20 µs of the parent's
/// time per connection (String interpolation, concatenation and two writes, and the
/// heap pages they touch, each of which the next fork makes the parent copy). Here a
/// line is a few byte copies into one buffer that is never reallocated, in either format.
final class ServerLog {
    /// What the buffer holds before a line forces a write.
    private static let capacity = 16 * 1024
    /// The longest line `record` keeps: longer ones are cut (peer addresses and numbers
    /// are short; this only bounds a runaway).
    private static let maximumLine = 512
    /// The longest rare line in JSON (a text one is written whole).
    private static let maximumRareLine = 4096

    /// Text or JSON.
    let format: ServerLogFormat
    /// `--quiet`: routine events (`record`, `note`) are dropped.
    let quiet: Bool

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

    init(format: ServerLogFormat = .text, quiet: Bool = false) {
        self.format = format
        self.quiet = quiet
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

    /// Gathers a routine per-connection event (dropped under `--quiet`). The parent's only.
    func record<Event: ServerLogEvent>(_ event: Event) {
        guard !quiet else { return }
        if Self.capacity - count < Self.maximumLine + 1 { flush() }
        var writer = LogLineWriter(base: buffer.baseAddress! + count, capacity: Self.maximumLine)
        writer.write(event, as: format)
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

    /// Writes a rare event (an error, the limit, a signal) at once, after the gathered
    /// ones, so that the log stays in order. The parent's only.
    func now(_ event: ServerEvent) {
        flush()
        fromAnyProcess(event)
    }

    /// Writes a rare routine event at once, unless `--quiet`. The parent's only.
    func note(_ event: ServerEvent) {
        guard !quiet else { return }
        now(event)
    }

    /// Writes an event that only the JSON format has (its text line goes elsewhere, as
    /// `listening on` goes to stdout), unless `--quiet`. The parent's only.
    func noteInJSON(_ event: ServerEvent) {
        guard format == .json else { return }
        note(event)
    }

    /// Writes `event` to stderr in one write, from any process: a forked child or worker,
    /// whose copy of the buffer is not mapped, uses this. Not filtered by `--quiet`.
    func fromAnyProcess(_ event: ServerEvent) {
        Self.write(event, as: format)
    }

    /// Writes `event` to stderr in one write, in `format`, without any log's buffer.
    static func write(_ event: ServerEvent, as format: ServerLogFormat) {
        guard format == .json else {
            _ = try? FileDescriptor.standardError.writeAll((event.message + "\n").utf8)
            return
        }
        withUnsafeTemporaryAllocation(byteCount: Self.maximumRareLine + 1, alignment: 1) { scratch in
            var writer = LogLineWriter(base: scratch.baseAddress!, capacity: Self.maximumRareLine)
            writer.write(event, as: .json)
            scratch[writer.count] = UInt8(ascii: "\n")
            _ = try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer(rebasing: scratch[0...writer.count]))
        }
    }
}
