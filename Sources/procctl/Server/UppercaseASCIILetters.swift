/// Upper-cases the ASCII letters a-z in `bytes`, in place, exactly as Python's
/// `bytes.upper()` does: every other byte (NUL, control bytes, bytes of invalid or
/// non-ASCII UTF-8) is left unchanged.
@inline(__always)
func uppercaseASCIILetters(_ bytes: UnsafeMutableRawBufferPointer) {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    for index in 0..<bytes.count {
        let byte = base[index]
        // One unsigned comparison for 'a'...'z'; branch-free so the loop vectorises.
        base[index] = byte &- (byte &- 0x61 < 26 ? 0x20 : 0)
    }
}
