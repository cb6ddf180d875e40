import CProcShim

/// One `pc_pool_slot` per worker in memory shared with the workers (a memfd, so that a
/// worker started by a fork server maps it too): the worker stores the index of the task
/// it runs and when it started, so that the parent knows exactly which task a worker held
/// when it died or overran its timeout (billiard's acknowledgement, without a message).
final class WorkerSlots {
    /// The memfd, passed to workers started by a fork server.
    let descriptor: Int32
    let count: Int
    private let base: UnsafeMutablePointer<pc_pool_slot>

    init(count: Int) throws(ProcessError) {
        var fd: Int32 = -1
        var address: UnsafeMutableRawPointer?
        try check("memfd_create", pc_memfd_map_shared(Self.length(count), &fd, &address))
        descriptor = fd
        self.count = count
        base = address!.bindMemory(to: pc_pool_slot.self, capacity: count)
        for index in 0..<count { pc_pool_slot_store(base + index, -1, 0) }
    }

    /// The slots of a pool, in a worker that received their memfd.
    init(mapping fd: Int32, count: Int) throws(ProcessError) {
        var address: UnsafeMutableRawPointer?
        try check("mmap", pc_map_memfd(fd, Self.length(count), &address))
        descriptor = fd
        self.count = count
        base = address!.bindMemory(to: pc_pool_slot.self, capacity: count)
    }

    deinit {
        _ = pc_unmap(base, Self.length(count))
        _ = pc_close(descriptor)
    }

    private static func length(_ count: Int) -> Int {
        max(1, count) * MemoryLayout<pc_pool_slot>.stride
    }

    /// The worker's side: it runs `task` from now (-1: none).
    func store(slot: Int, task: Int) {
        pc_pool_slot_store(base + slot, Int64(task), task < 0 ? 0 : pc_monotonic_ns())
    }

    /// The parent's side: the task the worker in `slot` runs and when it started, or nil.
    func load(slot: Int) -> (task: Int, startedNanoseconds: Int64)? {
        var task: Int64 = -1
        var started: Int64 = 0
        pc_pool_slot_load(base + slot, &task, &started)
        return task < 0 ? nil : (Int(task), started)
    }

    /// The parent's side: the worker in `slot` is to skip the tasks of `tasks` it was sent
    /// before they were cancelled.
    func cancel(_ tasks: Range<Int>, slot: Int) {
        pc_pool_slot_cancel(base + slot, Int64(tasks.lowerBound), Int64(tasks.upperBound))
    }

    /// The worker's side: whether the parent cancelled `task` after sending it.
    func isCancelled(slot: Int, task: Int) -> Bool {
        pc_pool_slot_is_cancelled(base + slot, Int64(task))
    }

    /// Marks `slot` idle, for the worker that replaces a dead one.
    func reset(slot: Int) { pc_pool_slot_store(base + slot, -1, 0) }
}
