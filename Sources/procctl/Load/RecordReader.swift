import ProcCore
import SystemPackage

/// Reads one worker's pipe and cuts the bytes into 64-bit records, keeping a record that
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
        let stride = MemoryLayout<Int64>.stride
        var bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if !partial.isEmpty {
            let needed = min(stride - partial.count, bytes.count)
            partial.append(contentsOf: bytes[0..<needed])
            bytes = UnsafeRawBufferPointer(rebasing: bytes[needed...])
            if partial.count == stride {
                tally.add(record: partial.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
                partial.removeAll(keepingCapacity: true)
            }
        }
        var offset = 0
        while offset + stride <= bytes.count {
            tally.add(record: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
            offset += stride
        }
        partial.append(contentsOf: bytes[offset...])
    }
}
