import Glibc

/// `child_exited`: a connection's child (or program) has ended and been reaped. Rendered
/// from its values alone: this is the parent's per-connection path.
struct ChildExitEvent: ServerLogEvent {
    let pid: pid_t
    /// As `ChildProcess.exitCode`: -N when signal N ended it.
    let exitCode: Int32

    var name: StaticString { "child_exited" }
    var level: ServerLogLevel { .info }

    func writeMessage(to line: inout LogLineWriter) {
        line.append("child ")
        line.append(pid)
        line.append(" exited with code ")
        line.append(exitCode)
    }

    func writeFields(to line: inout LogLineWriter) {
        line.field("pid", pid)
        line.exitFields(exitCode)
    }
}
