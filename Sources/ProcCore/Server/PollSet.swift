import CProcShim

#if canImport(Glibc)
import Glibc
#endif

/// The server's pollfd array: the signal pipe, the listener, then one pidfd per child.
typealias PollSet = ParentOnlyArray<pollfd>

extension ParentOnlyArray where Element == pollfd {
    /// Clears every entry's returned events.
    func clearEvents() {
        for index in 0..<count { self[index].revents = 0 }
    }

    /// poll(2) over the entries (pc_poll: EINTR retried); 0 or an errno value.
    func poll(timeoutMs: Int32) -> Int32 {
        var ready: Int32 = 0
        return pc_poll(baseAddress, Int32(count), timeoutMs, &ready)
    }

    /// poll(2) over the entries from `start` on, without waiting: their returned events
    /// are refreshed, the others' left as they are; 0 or an errno value.
    func pollWithoutWaiting(from start: Int) -> Int32 {
        var ready: Int32 = 0
        return pc_poll(baseAddress + start, Int32(count - start), 0, &ready)
    }
}
