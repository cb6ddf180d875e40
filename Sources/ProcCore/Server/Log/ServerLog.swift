import CProcShim
import SystemPackage

import Glibc

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
///
/// The parent never waits for stderr's reader (a pipe nobody reads must not stop the
/// master): it writes through a descriptor of its own that never blocks
/// (`pc_log_output_open`: stderr's open file description, shared with children and
/// programs, stays as it is). What stderr does not take stays in the buffer for the next
/// write; when the buffer is full, lines are dropped and counted until it has drained,
/// then one line says how many were lost. Children and workers, which serve one
/// connection each, write theirs to stderr as it is (`fromAnyProcess`).
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
    /// Routine events (`record`, `note`) are dropped: errors and warnings only.
    let quiet: Bool
    /// What the server's own error lines begin with: its name and a colon (`ServerIdentity`).
    let prefix: String

    /// The count of bytes gathered and the count of lines dropped, then the bytes; all
    /// parent-only memory, since a stored property would be written on this object's
    /// heap page.
    private let memory: UnsafeMutableRawBufferPointer
    private let buffer: UnsafeMutableRawBufferPointer
    private let counters: UnsafeMutablePointer<Int>
    private let isParentOnly: Bool
    /// The parent's descriptor for stderr, and how to write to it without waiting
    /// (`pc_log_output_write`); `ownsOutput` when it is a descriptor of its own.
    private let output: Int32
    private let outputKind: Int32
    private let ownsOutput: Bool

    private var count: Int {
        get { counters[0] }
        set { counters[0] = newValue }
    }

    /// Lines dropped while stderr took nothing and the buffer was full; nonzero until the
    /// buffer has drained and the count has been written.
    private var dropped: Int {
        get { counters[1] }
        set { counters[1] = newValue }
    }

    init(format: ServerLogFormat = .text, quiet: Bool = false, prefix: String = ServerIdentity().logPrefix) {
        self.format = format
        self.quiet = quiet
        self.prefix = prefix
        // Children never write the parent's log lines: their memory is not theirs.
        let byteCount = 64 + Self.capacity
        if let parentOnly = ParentOnlyMemory.allocate(byteCount: byteCount) {
            memory = parentOnly
            isParentOnly = true
        } else {
            memory = .allocate(byteCount: byteCount, alignment: 64)
            isParentOnly = false
        }
        counters = memory.baseAddress!.initializeMemory(as: Int.self, repeating: 0, count: 2)
        buffer = UnsafeMutableRawBufferPointer(rebasing: memory[64...])
        var descriptor: Int32 = STDERR_FILENO
        var kind = Int32(PC_LOG_OUTPUT_PLAIN)
        if pc_log_output_open(STDERR_FILENO, &descriptor, &kind) != 0 {
            descriptor = STDERR_FILENO
            kind = Int32(PC_LOG_OUTPUT_PLAIN)
        }
        output = descriptor
        outputKind = kind
        ownsOutput = descriptor != STDERR_FILENO
    }

    deinit {
        flush()
        if ownsOutput { _ = pc_close(output) }
        if isParentOnly { ParentOnlyMemory.deallocate(memory) } else { memory.deallocate() }
    }

    /// Gathers a routine per-connection event (dropped when `quiet`). The parent's only.
    func record<Event: ServerLogEvent>(_ event: Event) {
        guard !quiet else { return }
        if Self.capacity - count < Self.maximumLine + 1 { flush() }
        gather(event, upTo: Self.maximumLine)
    }

    /// Whether lines, or the count of dropped ones, still wait for stderr to take them.
    var hasPending: Bool { count > 0 || dropped > 0 }

    /// Writes what is gathered to stderr, as much as it takes now; the rest waits for the
    /// next call. A failed write (stderr closed, no reader) drops it.
    func flush() {
        while count > 0 {
            var written = 0
            let result = pc_log_output_write(output, outputKind, buffer.baseAddress, count, &written)
            if result == EAGAIN { return }
            guard result == 0 else {
                count = 0
                dropped = 0
                return
            }
            count -= written
            if count > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + written, byteCount: count) }
            if count == 0 && dropped > 0 {
                // The buffer has drained: the count of lost lines goes where they were.
                let lost = dropped
                dropped = 0
                gather(ServerEvent(
                    "log_lines_dropped", .warning, "\(prefix)\(lost) log lines dropped: stderr took nothing while they came",
                    ["dropped": .int(lost)]), upTo: Self.maximumLine)
            }
        }
    }

    /// Writes what is gathered, waiting for stderr to take it for up to `milliseconds` in
    /// all: at the end, when nothing more is to come, a slow reader gets the last lines
    /// and a stalled one costs a bounded wait.
    func flush(waitingUpTo limit: Duration) {
        let deadline = MonotonicInstant.now + limit
        flush()
        while hasPending {
            let left = MonotonicInstant.now.pollTimeout(until: deadline)
            var revents: Int16 = 0
            guard left > 0, pc_poll_one(output, Int16(POLLOUT), left, &revents) == 0, revents != 0 else { return }
            flush()
        }
    }

    /// Writes a rare event (an error, the limit, a signal) at once, after the gathered
    /// ones, so that the log stays in order. The parent's only.
    func now(_ event: ServerEvent) {
        flush()
        gather(event, upTo: Self.maximumRareLine)
        flush()
    }

    /// Renders `event` (cut at `limit` bytes) and a newline into the buffer, or counts it
    /// as dropped when lines are being dropped or it does not fit.
    private func gather<Event: ServerLogEvent>(_ event: Event, upTo limit: Int) {
        guard dropped == 0, Self.capacity - count >= limit + 1 else {
            dropped += 1
            return
        }
        var writer = LogLineWriter(base: buffer.baseAddress! + count, capacity: limit)
        writer.write(event, as: format)
        count += writer.count
        buffer[count] = UInt8(ascii: "\n")
        count += 1
    }

    /// Writes a rare routine event at once, unless `quiet`. The parent's only.
    func note(_ event: ServerEvent) {
        guard !quiet else { return }
        now(event)
    }

    /// Writes an event that only the JSON format has (its text line goes elsewhere, as
    /// `listening on` goes to stdout), unless `quiet`. The parent's only.
    func noteInJSON(_ event: ServerEvent) {
        guard format == .json else { return }
        note(event)
    }

    /// Writes `event` to stderr in one write, from any process: a forked child or worker,
    /// whose copy of the buffer is not mapped, uses this. Not filtered by `quiet`.
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
