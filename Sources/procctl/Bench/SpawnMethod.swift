import ArgumentParser

/// How a benchmarked child is made: a forked copy running a closure, or an exec'd program.
enum SpawnMethod: String, CaseIterable, ExpressibleByArgument {
    /// fork, a closure that does nothing, exit, wait.
    case fork
    /// posix_spawn of /bin/true, wait.
    case exec

    /// The ways of making this kind of child that are timed side by side; the first is
    /// ProcCore's, the others the raw calls it is compared with.
    var variants: [SpawnVariant] {
        switch self {
        case .fork: [.childProcessFork, .shimFork, .libcFork, .childProcessAllow]
        case .exec: [.childProcessExec, .shimSpawn, .libcSpawn]
        }
    }
}
