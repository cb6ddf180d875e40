import CProcShim

import Glibc

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
    /// Whether the descriptor is a Unix socket, read with recvmsg(2): descriptors sent
    /// with the bytes (`Connection.sendHandle`) are kept, where read(2) would close them
    /// when a read ahead reaches the message that carries them.
    private let keepsDescriptors: Bool
    /// Descriptors that came with the bytes read, oldest first, not yet taken.
    private var descriptors: [Int32] = []

    init(keepsDescriptors: Bool) {
        self.keepsDescriptors = keepsDescriptors
    }

    deinit {
        storage?.deallocate()
        for descriptor in descriptors { _ = pc_close(descriptor) }
    }

    /// Takes the oldest descriptor received and not yet taken, if any.
    func takeDescriptor() -> Int32? {
        descriptors.isEmpty ? nil : descriptors.removeFirst()
    }

    /// Whether bytes are waiting here, read but not handed out.
    var hasBytes: Bool { start < end }

    /// The next `count` bytes where they lie in the buffer, taken as if read, when they are
    /// all there (a small message that came whole with its header); nil otherwise, with
    /// nothing taken. Valid until the next read: what a receive decodes in place.
    func takeBuffered(_ count: Int) -> UnsafeRawBufferPointer? {
        guard let storage, end - start >= count else { return nil }
        defer { start += count }
        return UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)])
    }

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
        let result: Int32
        if keepsDescriptors {
            var incoming = (Int32(-1), Int32(-1), Int32(-1), Int32(-1), Int32(-1), Int32(-1), Int32(-1), Int32(-1))
            var incomingCount: Int32 = 0
            result = withUnsafeMutableBytes(of: &incoming) { raw in
                pc_read_keeping_fds(descriptor, buffer.baseAddress, buffer.count, &count,
                                    raw.baseAddress!.assumingMemoryBound(to: Int32.self), 8, &incomingCount)
            }
            withUnsafeBytes(of: incoming) { descriptors += $0.bindMemory(to: Int32.self).prefix(Int(incomingCount)) }
        } else {
            result = pc_read(descriptor, buffer.baseAddress, buffer.count, &count)
        }
        if result == ECONNRESET { return false }
        try check("receive", result)
        (start, end) = (0, count)
        return count > 0
    }
}
