import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// What a `Connection` has read from its descriptor beyond what it has handed out, so that
/// one read(2) brings a small message's header and body together (and any messages queued
/// behind it), instead of one read for the header and another for the body.
///
/// The bytes belong to the process that read them: a forked child gets a copy, which is
/// why an end is read by one process only (as with any stream, two readers would split
/// messages between them anyway).
final class ReadAheadBuffer {
    /// Remainders up to this size go through the buffer; larger ones are read straight into
    /// their destination, so that a big message is not copied twice.
    static let capacity = 16 << 10

    private var storage: UnsafeMutableRawBufferPointer?
    private var start = 0
    private var end = 0

    deinit { storage?.deallocate() }

    /// Whether bytes are waiting here, read but not handed out.
    var hasBytes: Bool { start < end }

    /// Fills `destination` from the buffer, then from `descriptor`; returns the bytes placed,
    /// fewer than `destination.count` only at end of stream (a reset connection counts as one).
    func read(into destination: UnsafeMutableRawBufferPointer, from descriptor: Int32) throws(ProcessError) -> Int {
        var done = take(into: destination)
        while done < destination.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: destination[done...])
            if rest.count >= Self.capacity {
                var count = 0
                let result = pc_read_full(descriptor, rest.baseAddress, rest.count, &count)
                if result == ECONNRESET { return done }
                try check("receive", result)
                return done + count
            }
            guard try refill(from: descriptor) else { return done }
            done += take(into: rest)
        }
        return done
    }

    /// Copies what is buffered into `destination`, as much as fits.
    private func take(into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard let storage, hasBytes, let target = destination.baseAddress else { return 0 }
        let count = min(destination.count, end - start)
        target.copyMemory(from: storage.baseAddress! + start, byteCount: count)
        start += count
        return count
    }

    /// One read(2) into the empty buffer; false at end of stream.
    private func refill(from descriptor: Int32) throws(ProcessError) -> Bool {
        let buffer = storage ?? UnsafeMutableRawBufferPointer.allocate(byteCount: Self.capacity, alignment: 16)
        storage = buffer
        var count = 0
        let result = pc_read(descriptor, buffer.baseAddress, buffer.count, &count)
        if result == ECONNRESET { return false }
        try check("receive", result)
        (start, end) = (0, count)
        return count > 0
    }
}
