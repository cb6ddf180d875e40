/// The fork server's control messages, one SOCK_SEQPACKET message each (descriptors ride
/// along with SCM_RIGHTS), encoded with `BinaryEncoder`.
enum ForkServerMessage {
    /// The largest request: an entry's name and argument must fit in one message.
    static let maximumRequestBytes = 64 * 1024

    /// Start a child running `entry` with `argument`; the passed descriptors go to it.
    struct Request: Codable {
        var entry: String
        var argument: [UInt8]
    }

    /// The child's pid, or why none was started. On success the message carries the
    /// child's pidfd and the read end of its status pipe, on which the server writes the
    /// child's exit code (Int32, Python's convention) once it has reaped it.
    struct Reply: Codable {
        var pid: Int32
        /// 0, or the errno of the failed fork.
        var errno: Int32
        var unknownEntry: Bool
    }
}
