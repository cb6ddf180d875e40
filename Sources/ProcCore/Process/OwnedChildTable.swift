import Glibc

/// The registry's children that still have a handle, in fixed slots of one page that
/// also holds the registry's mutex and a weak reference to each child's handle.
///
/// A fork-per-connection server adds and removes one child per connection, and every
/// page the parent writes between two forks is copied (or at least faulted) once per
/// fork. A Dictionary insert touched about two pages of its storage, plus the separately
/// allocated mutex and the exclusivity-check bookkeeping of the class property; here
/// the lock, the counters and the first slots share one page, and only slots up to
/// the highest one in use are scanned (a handful when a handful of children live).
/// Callers hold the lock; nothing here is checked for exclusivity at run time.
final class OwnedChildTable: @unchecked Sendable {
    /// One child: `pid` 0 marks a free slot.
    struct Slot {
        var pid: pid_t
        var pidfd: Int32
        var isDaemon: Bool
    }

    /// A child's handle, for `ChildProcess.activeChildren()`. Weak: a handle dropped on
    /// another thread may be deinitialising (and about to leave the table) while it is read.
    struct HandleReference {
        weak var handle: ChildProcess?
    }

    private static let pageSize = 4096
    private static let slotsOffset = 128
    /// How many children fit; the registry keeps any more in a Dictionary.
    static let capacity = (pageSize - slotsOffset - MemoryLayout<HandleReference>.alignment)
        / (MemoryLayout<Slot>.stride + MemoryLayout<HandleReference>.stride)

    private let page: UnsafeMutableRawPointer
    /// The registry's mutex, at the start of the page.
    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Live entries, the number of slots from the first that may be in use, then
    /// `processNumbersGiven`.
    private let counters: UnsafeMutablePointer<Int>
    private let slots: UnsafeMutablePointer<Slot>
    /// The handles, after the slots: `handles[i]` is slot i's.
    private let handles: UnsafeMutablePointer<HandleReference>

    init() {
        page = .allocate(byteCount: Self.pageSize, alignment: Self.pageSize)
        page.initializeMemory(as: UInt8.self, repeating: 0, count: Self.pageSize)
        mutex = page.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        counters = (page + 64).bindMemory(to: Int.self, capacity: 3)
        slots = (page + Self.slotsOffset).bindMemory(to: Slot.self, capacity: Self.capacity)
        let handlesOffset = Self.slotsOffset + Self.capacity * MemoryLayout<Slot>.stride
        let alignment = MemoryLayout<HandleReference>.alignment
        handles = (page + (handlesOffset + alignment - 1) / alignment * alignment)
            .bindMemory(to: HandleReference.self, capacity: Self.capacity)
        handles.initialize(repeating: HandleReference(), count: Self.capacity)
    }

    deinit {
        handles.deinitialize(count: Self.capacity)
        page.deallocate()
    }

    /// The number of children in the table.
    var count: Int { counters[0] }

    private var highWater: Int {
        get { counters[1] }
        set { counters[1] = newValue }
    }

    /// How many default process names were given (see `ChildRegistry.nextProcessNumber`),
    /// here for the page it shares with the lock; `removeAll()` leaves it.
    var processNumbersGiven: Int {
        get { counters[2] }
        set { counters[2] = newValue }
    }

    /// Puts a child in the first free slot; false when every slot is taken.
    func insert(pid: pid_t, pidfd: Int32, isDaemon: Bool, handle: ChildProcess) -> Bool {
        var index = 0
        while index < highWater && slots[index].pid != 0 { index += 1 }
        if index == highWater {
            guard highWater < Self.capacity else { return false }
            highWater += 1
        }
        slots[index] = Slot(pid: pid, pidfd: pidfd, isDaemon: isDaemon)
        handles[index].handle = handle
        counters[0] += 1
        return true
    }

    /// Sets the pidfd of `pid`'s slot; false when `pid` is not in the table.
    func setPidfd(_ pidfd: Int32, of pid: pid_t) -> Bool {
        for index in 0..<highWater where slots[index].pid == pid {
            slots[index].pidfd = pidfd
            return true
        }
        return false
    }

    /// Takes `pid` out; its slot, or nil when it is not in the table.
    func remove(pid: pid_t) -> Slot? {
        for index in 0..<highWater where slots[index].pid == pid {
            let slot = slots[index]
            slots[index].pid = 0
            handles[index].handle = nil
            counters[0] -= 1
            while highWater > 0 && slots[highWater - 1].pid == 0 { highWater -= 1 }
            return slot
        }
        return nil
    }

    /// Calls `body` with every child in the table, allocating nothing.
    func forEach(_ body: (Slot) -> Void) {
        for index in 0..<highWater where slots[index].pid != 0 { body(slots[index]) }
    }

    /// The handles of the children in the table that still exist.
    var liveHandles: [ChildProcess] {
        (0..<highWater).compactMap { slots[$0].pid != 0 ? handles[$0].handle : nil }
    }

    /// Every child in the table.
    var all: [Slot] {
        (0..<highWater).compactMap { slots[$0].pid != 0 ? slots[$0] : nil }
    }

    /// Empties the table. The handle references of the freed slots are left as they are
    /// (they are overwritten when a slot is used again): clearing them would write to each
    /// handle's reference counts, in pages a forked child would otherwise not copy.
    func removeAll() {
        for index in 0..<highWater { slots[index].pid = 0 }
        counters[0] = 0
        highWater = 0
    }
}
