import CProcShim

import Glibc

/// The master's pollfd array (`MasterLoop`): its own slots, then its serving model's.
typealias PollSet = ParentOnlyArray<pollfd>

extension ParentOnlyArray where Element == pollfd {
    /// Clears every entry's returned events.
    func clearEvents() {
        for index in 0..<count { self[index].revents = 0 }
    }

    /// poll(2) over the entries for up to `milliseconds` (-1: for ever; pc_poll: EINTR
    /// retried); 0 or an errno value.
    func poll(milliseconds: Int32) -> Int32 {
        var ready: Int32 = 0
        return pc_poll(baseAddress, Int32(count), milliseconds, &ready)
    }

    /// poll(2) over the entries from `start` on, without waiting: their returned events
    /// are refreshed, the others' left as they are; 0 or an errno value.
    func pollWithoutWaiting(from start: Int) -> Int32 {
        var ready: Int32 = 0
        return pc_poll(baseAddress + start, Int32(count - start), 0, &ready)
    }

    /// Removes the entries from `start` on.
    func removeEntries(from start: Int) {
        while count > start { swapRemove(at: count - 1) }
    }
}
