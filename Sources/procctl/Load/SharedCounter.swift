import Synchronization
import ProcCore

/// A counter in memory shared by a parent and the children it forks afterwards: the load
/// workers take the next connection number from it, so that a slow worker never leaves
/// the others idle at the end of a run.
final class SharedCounter {
    private let memory: SharedMemory
    private let counter: UnsafeMutablePointer<Atomic<Int>>

    /// A counter at 0, in a fresh shared anonymous mapping.
    init() throws(ProcessError) {
        memory = try SharedMemory(byteCount: MemoryLayout<Atomic<Int>>.size)
        counter = memory.bytes.baseAddress!.bindMemory(to: Atomic<Int>.self, capacity: 1)
        counter.initialize(to: Atomic(0))
    }

    /// Returns the counter's value and adds one, atomically across processes.
    func takeNext() -> Int {
        counter.pointee.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}
