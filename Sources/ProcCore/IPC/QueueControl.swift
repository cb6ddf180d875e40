import Glibc

/// The shared state of a `ProcessQueue`, guarded by its lock: two conditions and where the
/// items are in the ring that follows it.
///
/// `head` and `tail` only grow (byte positions since the queue was made; the ring index is
/// the position modulo the ring's size): `tail - head` bytes are in use. An item is
/// committed by moving `tail` after its bytes are written, and removed by moving `head`
/// after they are read, so a process killed in the middle of either leaves the queue as
/// it was before: no half-written item is ever read, and no half-read item is lost.
struct QueueControl {
    var notEmpty: pthread_cond_t
    var notFull: pthread_cond_t
    var head: Int
    var tail: Int
    var count: Int
    /// Processes waiting in `get` / `put`: a put or get with no one waiting on the other
    /// side skips the wake-up call. A waiter killed in its wait stays counted, which costs
    /// only wake-ups no one needed.
    var waitingGetters: Int
    var waitingPutters: Int
}
