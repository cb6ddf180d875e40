/// What a worker sends the parent for each connection, through its pipe: two 64-bit
/// integers in the machine's order, so that the pipe carries them without encoding.
struct LoadRecord {
    /// The monotonic time (nanoseconds) at which the connection started: the clock is the
    /// system's, the same in the workers and the parent.
    var startedAt: Int64
    /// The latency in nanoseconds, connect included, when the connection succeeded; minus
    /// the failure's raw value when it failed (see `ConnectionFailure`).
    var result: Int64

    /// The bytes of one record in the pipe.
    static let size = 2 * MemoryLayout<Int64>.stride
}
