/// Where a task of a `TaskTable` is; a byte each, so that scans and updates are plain
/// loops. Outside the generic table, so that its arrays are not generic code.
enum TaskState: UInt8 {
    /// Queued or running: its input is held.
    case pending
    /// Queued or running, but nobody will take its result: its input is held.
    case pendingAbandoned
    /// Ended well: its output is held.
    case succeeded
    /// Ended in `failures`.
    case failed
    /// Taken, abandoned after it ended, or settled while abandoned: holds nothing.
    case released
}
