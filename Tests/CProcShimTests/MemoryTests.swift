import CProcShim
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ShimTests {
    /// pc_remap_clean_file_pages.
    @Suite struct MemoryTests {
        @Test func refusesWhileAnotherThreadRuns() {
            // The test runner runs several threads: a write by one of them between the
            // look at pagemap and the remap would be lost, so nothing is remapped.
            var threads: Int32 = 0
            #expect(pc_thread_count(&threads) == 0)
            guard threads > 1 else { return }
            #expect(pc_remap_clean_file_pages() == EBUSY)
        }

        @Test func keepsEveryByteOfTheWritableFileMappings() throws {
            // A forked child runs one thread. Every byte of every private writable file
            // mapping (.data, written pages included) must read the same afterwards, and
            // a page written afterwards must keep what is written.
            let pid = try forkChild {
                guard let before = writableFileMappings() else { return 10 }
                // No allocation between the sums: malloc writes its state into libc's .data.
                // A first call binds what it calls (lazy binding writes the GOT of .data)
                // and remaps; the second, checked one remaps the same runs again, pages
                // read since included.
                if pc_remap_clean_file_pages() != 0 { return 16 }
                // The first pass may write (lazy runtime state); the second sees still data.
                let count = before.count
                let sums = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 3 * count)
                for pass in 0..<2 {
                    for index in 0..<count { sums[pass * count + index] = checksum(before[index]) }
                }
                let rc = pc_remap_clean_file_pages()
                for index in 0..<count { sums[2 * count + index] = checksum(before[index]) }
                if rc != 0 { return 11 }
                for index in 0..<count where sums[count + index] != sums[2 * count + index] {
                    return sums[index] == sums[count + index] ? 12 : 15
                }
                // Write to the last page of each mapping (a remapped, never-written one
                // when there is one), then read it back.
                for range in before {
                    let last = UnsafeMutablePointer<UInt8>(bitPattern: range.upperBound - 1)!
                    let old = last.pointee
                    last.pointee = old &+ 1
                    if last.pointee != old &+ 1 { return 13 }
                    last.pointee = old
                }
                return 0
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "child: exit \(status.code), signal \(status.signal)")
        }
    }
}

/// The address ranges of this process's private writable file mappings (rw-p, with a
/// path), from /proc/self/maps; nil when it cannot be read.
private func writableFileMappings() -> [Range<UInt>]? {
    guard let file = fopen("/proc/self/maps", "r") else { return nil }
    defer { fclose(file) }
    var ranges: [Range<UInt>] = []
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0 {
        let fields = String(cString: line!).split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6, fields[1] == "rw-p", fields[5].hasPrefix("/") else { continue }
        let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
        guard bounds.count == 2 else { return nil }
        ranges.append(bounds[0]..<bounds[1])
    }
    return ranges
}

/// FNV-1a over the bytes of `range`.
private func checksum(_ range: Range<UInt>) -> UInt64 {
    let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: range.lowerBound), count: Int(range.upperBound - range.lowerBound))
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}
