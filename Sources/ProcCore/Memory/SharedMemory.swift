import CProcShim

/// Zeroed anonymous memory shared with the children this process forks after creating
/// it (mmap `MAP_SHARED | MAP_ANONYMOUS`): what one process writes there, the others read.
///
/// The mapping is unmapped when the last reference in a process goes away; each process
/// (parent or forked child) has its own reference and unmaps only its own view. Put only
/// plain values in it: a pointer or a class reference means something in one address
/// space, and the processes diverge after the fork.
public final class SharedMemory: @unchecked Sendable {
    /// The shared bytes: `byteCount` as asked for (the mapping itself is whole pages).
    public let bytes: UnsafeMutableRawBufferPointer

    /// Maps `byteCount` zeroed bytes (rounded up to whole pages). Wraps `pc_map_shared`.
    public init(byteCount: Int) throws(ProcessError) {
        guard byteCount >= 0 else {
            throw ProcessError(.invalidArgument, operation: "shared memory of \(byteCount) bytes")
        }
        var address: UnsafeMutableRawPointer?
        try check("mmap", pc_map_shared(byteCount, &address))
        bytes = UnsafeMutableRawBufferPointer(start: address, count: byteCount)
    }

    deinit {
        if let base = bytes.baseAddress { _ = pc_unmap(base, bytes.count) }
    }
}
