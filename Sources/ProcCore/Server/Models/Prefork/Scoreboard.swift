import CProcShim

/// The prefork server's scoreboard, as Apache and unicorn keep one: a page of memory
/// shared by the master and its workers, one slot per worker, in which each worker
/// records its state (idle, busy), the connections it has served and when its state
/// last changed. The master reads it to size the pool and to find hung workers,
/// with no signal or pipe per connection.
///
/// A slot is a cache line (`pc_worker_slot`), written whole and atomically by the
/// shim's inline functions; the master owns which slot is whose.
final class Scoreboard {
    /// The most workers one scoreboard holds (64 KiB of slots; pages never written are
    /// never allocated).
    static let capacity = 1024

    private let memory: SharedMemory
    private let slots: UnsafeMutablePointer<pc_worker_slot>

    init() throws(ProcessError) {
        memory = try SharedMemory(byteCount: Self.capacity * MemoryLayout<pc_worker_slot>.stride)
        slots = memory.bytes.baseAddress!.bindMemory(to: pc_worker_slot.self, capacity: Self.capacity)
    }

    /// Slot `index` (0 ..< capacity).
    subscript(index: Int) -> UnsafeMutablePointer<pc_worker_slot> {
        precondition(index >= 0 && index < Self.capacity, "scoreboard slot out of range")
        return slots + index
    }

    /// What the worker in slot `index` says it is doing.
    func state(of index: Int) -> WorkerState {
        WorkerState(rawValue: pc_slot_state(self[index])) ?? .free
    }

    /// Records a change of state of the worker in slot `index`, with the time.
    func record(_ state: WorkerState, served: UInt64, at index: Int) {
        pc_slot_record(self[index], state.rawValue, served, pc_monotonic_ns())
    }

    /// What the worker in slot `index` does with the listener when it stops.
    func listenerDuty(of index: Int) -> ListenerDuty {
        ListenerDuty(rawValue: pc_slot_listener_duty(self[index])) ?? .drainWhenOrphaned
    }

    /// Sets it, before the worker is signalled (a new worker's slot starts at `.drainWhenOrphaned`).
    func setListenerDuty(_ duty: ListenerDuty, at index: Int) {
        pc_slot_set_listener_duty(self[index], duty.rawValue)
    }

    /// When the worker in slot `index` last changed state (`record`).
    func lastChange(of index: Int) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: pc_slot_progress_ns(self[index]))
    }
}
