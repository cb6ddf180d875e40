import ProcCore
import SystemPackage

/// Reads one worker's pipe and cuts the bytes into `LoadRecord`s, keeping a record that
/// arrives in two reads until its second part comes.
struct RecordReader {
    /// The pipe's read end; nil once it reached end of file or failed (and was closed).
    private(set) var descriptor: FileDescriptor?
    private var partial: [UInt8] = []

    init(descriptor: FileDescriptor) { self.descriptor = descriptor }

    /// Reads what is waiting (at most `buffer.count` bytes) and adds every whole record
    /// to `tally`. Closes the pipe at end of file or on an error.
    mutating func readAvailable(into tally: inout LoadTally, buffer: UnsafeMutableRawBufferPointer) {
        guard let pipe = descriptor else { return }
        let count = (try? pipe.readAvailable(into: buffer)) ?? 0
        if count == 0 {
            pipe.closeQuietly()
            descriptor = nil
            return
        }
        let size = LoadRecord.size
        var bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if !partial.isEmpty {
            let needed = min(size - partial.count, bytes.count)
            partial.append(contentsOf: bytes[0..<needed])
            bytes = UnsafeRawBufferPointer(rebasing: bytes[needed...])
            if partial.count == size {
                tally.add(partial.withUnsafeBytes { Self.record(in: $0, at: 0) })
                partial.removeAll(keepingCapacity: true)
            }
        }
        var offset = 0
        while offset + size <= bytes.count {
            tally.add(Self.record(in: bytes, at: offset))
            offset += size
        }
        partial.append(contentsOf: bytes[offset...])
    }

    private static func record(in bytes: UnsafeRawBufferPointer, at offset: Int) -> LoadRecord {
        LoadRecord(
            startedAt: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self),
            result: bytes.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int64>.stride, as: Int64.self)
        )
    }
}
