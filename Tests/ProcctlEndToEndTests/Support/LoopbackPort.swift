import CProcShim
import ProcTestSupport

/// Ports on 127.0.0.1 for tests that need one nothing listens on.
enum LoopbackPort {
    /// A port that nothing listens on just now: bound by the kernel's choice, then released.
    static func unused() throws -> Int {
        var fd: Int32 = -1
        var port: Int32 = 0
        let result = pc_tcp_listen("127.0.0.1", 0, 1, &fd, &port)
        guard result == 0 else { throw HarnessError("listen: errno \(result)") }
        _ = pc_close(fd)
        return Int(port)
    }
}
