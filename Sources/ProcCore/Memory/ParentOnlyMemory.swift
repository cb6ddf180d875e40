import CProcShim

/// Memory that forked children do not inherit (`pc_map_parent_only`: madvise
/// MADV_DONTFORK), for state only a forking server's parent uses: its poll set, its
/// watched children and its log buffer.
///
/// fork write-protects every private page both processes keep, so the first write to
/// each of them after a fork faults and copies the page. These are written at every
/// connection; outside the children, they are the parent's alone and never fault.
/// A child must never touch them: they are not mapped there.
enum ParentOnlyMemory {
    /// `byteCount` bytes (rounded up to whole pages) of zeroed, page-aligned memory that
    /// children do not inherit; nil when mmap fails. Free with `deallocate`.
    static func allocate(byteCount: Int) -> UnsafeMutableRawBufferPointer? {
        var address: UnsafeMutableRawPointer?
        guard pc_map_parent_only(max(1, byteCount), &address) == 0, let address else { return nil }
        return UnsafeMutableRawBufferPointer(start: address, count: byteCount)
    }

    /// Gives back memory from `allocate`.
    static func deallocate(_ memory: UnsafeMutableRawBufferPointer) {
        guard let base = memory.baseAddress else { return }
        _ = pc_unmap(base, max(1, memory.count))
    }
}
