/// What `ChildProcess.start()` does when the parent runs more than one thread.
///
/// fork(2) copies only the calling thread: a lock that another thread held at that
/// moment (in malloc, the Swift runtime, Dispatch) stays locked in the child for ever.
/// A child that runs plain synchronous code is usually fine; the safe rule is to start
/// children before starting threads. The thread count comes from /proc/self/task.
public enum ForkThreadPolicy: Sendable {
    /// Fork without checking.
    case allow
    /// Fork, and print one warning per process to stderr the first time it happens.
    case warn
    /// Throw `ProcessError.Code.multithreadedParent` instead of forking.
    case refuse
}
