#if canImport(Glibc)
import Glibc
#endif

/// Memory that forked children do not inherit (madvise MADV_DONTFORK), for state only
/// the server's parent uses: its poll set and its log buffer.
///
/// fork write-protects every private page both processes keep, so the first write to
/// each of them after a fork faults and copies the page. These are written at every
/// connection; outside the children, they are the parent's alone and never fault.
/// A child must never touch them: they are not mapped there.
enum ParentOnlyMemory {
    /// `byteCount` bytes (rounded up to whole pages) of zeroed, page-aligned memory that
    /// children do not inherit; nil when mmap fails. Free with `deallocate`.
    static func allocate(byteCount: Int) -> UnsafeMutableRawBufferPointer? {
        let size = roundedToPages(byteCount)
        guard let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED
        else { return nil }
        // Without MADV_DONTFORK the memory is still correct, only copied at forks.
        _ = madvise(memory, size, MADV_DONTFORK)
        return UnsafeMutableRawBufferPointer(start: memory, count: byteCount)
    }

    /// Gives back memory from `allocate`.
    static func deallocate(_ memory: UnsafeMutableRawBufferPointer) {
        guard let base = memory.baseAddress else { return }
        _ = munmap(base, roundedToPages(memory.count))
    }

    private static func roundedToPages(_ byteCount: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return max(page, (byteCount + page - 1) / page * page)
    }
}
