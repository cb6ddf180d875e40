import CProcShim

extension pc_exit_status {
    /// Python's `Process.exitcode` convention: the exit code, or -N when signal N ended it.
    var pythonExitCode: Int32 {
        signaled ? -signal : code
    }
}
