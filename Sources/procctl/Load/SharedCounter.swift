import Synchronization
import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// A counter in memory shared by a parent and the children it forks afterwards: the load
/// workers take the next connection number from it, so that a slow worker never leaves
/// the others idle at the end of a run.
final class SharedCounter {
    private let counter: UnsafeMutablePointer<Atomic<Int>>
    private static let size = 4096

    /// A counter at 0, in a fresh shared anonymous mapping.
    init() throws(ProcessError) {
        let memory = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let memory, memory != MAP_FAILED else { throw .systemCall("mmap", errno) }
        counter = memory.bindMemory(to: Atomic<Int>.self, capacity: 1)
        counter.initialize(to: Atomic(0))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(counter), Self.size)
    }

    /// Returns the counter's value and adds one, atomically across processes.
    func takeNext() -> Int {
        counter.pointee.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}
