/// The length prefix of a message on a Connection, as Python's `multiprocessing` writes it
/// (3.8 and later), so that bytes sent with `send_bytes` there are read here and back:
/// a 4-byte big-endian signed length, or for a message over 2 GiB - 1 the value -1 and
/// then an 8-byte big-endian unsigned length.
enum FrameHeader {
    /// The short header's size; the long form adds `longExtraSize` bytes.
    static let shortSize = 4
    static let longExtraSize = 8
    /// The short header that announces a long one.
    static let longMarker: [UInt8] = [0xff, 0xff, 0xff, 0xff]

    /// Room for the longest header (12 bytes), on the caller's stack. A struct, not a tuple:
    /// a tuple's type metadata is made at run time under the Swift runtime's lock, which a
    /// child forked from a process with other threads can find held for ever by a thread
    /// that did not come along (a hang seen in the tests, a debug build's unspecialized
    /// `withUnsafeMutableBytes(of:)` asking for the metadata in the child).
    struct Storage {
        private var first: UInt64 = 0
        private var rest: UInt32 = 0
    }

    /// The header for a message of `length` bytes, in `storage`; returns how many of its
    /// bytes it used.
    static func write(length: Int, into storage: inout Storage) -> Int {
        withUnsafeMutableBytes(of: &storage) { raw in
            if length <= Int(Int32.max) {
                storeBigEndian(UInt64(length), count: 4, into: raw)
                return shortSize
            }
            storeBigEndian(UInt64(UInt32.max), count: 4, into: raw)
            storeBigEndian(UInt64(length), count: 8, into: UnsafeMutableRawBufferPointer(rebasing: raw[4...]))
            return shortSize + longExtraSize
        }
    }

    /// What a short header says: a length, the long-form marker (nil), or a corrupt header
    /// (a negative length other than -1) as `.corrupt`.
    enum Short { case length(Int), long, corrupt(Int32) }

    static func readShort(_ bytes: UnsafeRawBufferPointer) -> Short {
        let value = Int32(bitPattern: UInt32(loadBigEndian(bytes, count: 4)))
        if value >= 0 { return .length(Int(value)) }
        return value == -1 ? .long : .corrupt(value)
    }

    static func loadBigEndian(_ bytes: UnsafeRawBufferPointer, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value = value << 8 | UInt64(bytes[i]) }
        return value
    }

    private static func storeBigEndian(_ value: UInt64, count: Int, into raw: UnsafeMutableRawBufferPointer) {
        for i in 0..<count { raw[i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - i))) }
    }
}
