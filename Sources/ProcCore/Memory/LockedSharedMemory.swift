import Glibc

/// Shared memory that holds a `ProcessLock` and, after it, the payload it guards: one
/// mapping (usually one page) for a shared value and its lock.
final class LockedSharedMemory: @unchecked Sendable {
    /// Where the payload starts: past the mutex's cache line, so that a payload written
    /// without the lock does not share that line with it.
    private static let payloadOffset = 64

    let lock: ProcessLock
    /// `payloadByteCount` zeroed bytes, aligned to `alignment` (at most a page).
    let payload: UnsafeMutableRawPointer
    private let memory: SharedMemory

    init(payloadByteCount: Int, alignment: Int, recursive: Bool = false) throws(ProcessError) {
        let offset = (max(Self.payloadOffset, alignment) + alignment - 1) / alignment * alignment
        let (total, overflow) = offset.addingReportingOverflow(payloadByteCount)
        guard !overflow, payloadByteCount >= 0 else {
            throw ProcessError(.invalidArgument, operation: "shared memory of \(payloadByteCount) bytes")
        }
        memory = try SharedMemory(byteCount: total)
        let base = memory.bytes.baseAddress!
        lock = try ProcessLock(at: base, in: memory, recursive: recursive)
        payload = base + offset
    }
}
