import CProcShim

import Glibc

/// Waits until at least one of `objects` is ready, or `timeout` has passed (nil: for ever),
/// and returns the positions in `objects` of those ready, in order (empty on timeout):
/// Python's `multiprocessing.connection.wait`, over Connections, children and descriptors
/// at once, in one poll(2).
///
/// ```swift
/// let ready = try waitForReady([results.first, worker], timeout: .seconds(1))
/// if ready.contains(0) { print(try results.first.receive(Int.self)) }
/// if ready.contains(1) { print("worker ended:", worker.exitCode!) }
/// ```
public func waitForReady(_ objects: [any Waitable], timeout: Duration? = nil) throws(ProcessError) -> [Int] {
    // Objects with no descriptor (a child without a pidfd) are checked every 10 ms.
    let recheckMilliseconds: Int64 = 10
    var descriptors: [Int32?] = []
    descriptors.reserveCapacity(objects.count)
    for object in objects { descriptors.append(try object.readinessDescriptor?.rawValue) }
    let deadline = timeout.map { pc_monotonic_ns() / 1_000_000 + Int64($0.roundedUpMilliseconds) }
    var pollSet = descriptors.map { pollfd(fd: $0 ?? -1, events: Int16(POLLIN), revents: 0) }
    while true {
        var ready = objects.indices.filter { objects[$0].isReady }
        let left = deadline.map { max(0, $0 - pc_monotonic_ns() / 1_000_000) }
        var wait = ready.isEmpty ? left ?? -1 : 0
        if ready.isEmpty && descriptors.contains(where: { $0 == nil }) {
            wait = wait < 0 ? recheckMilliseconds : min(wait, recheckMilliseconds)
        }
        var count: Int32 = 0
        try check("poll", pc_poll(&pollSet, Int32(pollSet.count), Int32(clamping: wait), &count))
        if count > 0 {
            ready = objects.indices.filter { pollSet[$0].revents != 0 || ready.contains($0) }
        }
        if !ready.isEmpty || left == 0 { return ready }
    }
}
