/// One plain value shared by this process and the children it forks afterwards, without a
/// lock, as Python's `multiprocessing.RawValue` (`Value(..., lock=False)`).
///
/// ```swift
/// let ready = try RawSharedValue(Int32(0))
/// let child = ChildProcess { ready.value = 1 }   // seen by the parent: the memory is shared
/// ```
///
/// Each read and write is a plain load or store of `T`'s bytes: nothing orders it against
/// another process's, and a read-modify-write (`value += 1`) from several processes loses
/// updates. Use it for values one process writes and others read after a synchronisation
/// (a join, an event, a lock of the caller's), or use `SharedValue`. `T` is
/// `BitwiseCopyable`, for the reasons `SharedValue` gives.
public final class RawSharedValue<T: BitwiseCopyable>: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<T>
    private let memory: SharedMemory

    /// A value in fresh shared memory, set to `initial`.
    public init(_ initial: T) throws(ProcessError) {
        memory = try SharedMemory(byteCount: max(1, MemoryLayout<T>.size))
        pointer = memory.bytes.baseAddress!.bindMemory(to: T.self, capacity: 1)
        pointer.initialize(to: initial)
    }

    /// The value, read and written without a lock.
    public var value: T {
        get { pointer.pointee }
        set { pointer.pointee = newValue }
    }
}
