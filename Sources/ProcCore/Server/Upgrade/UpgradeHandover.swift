import CProcShim

import Glibc

/// The new master's side of a binary upgrade: the pipe on which it tells the old master
/// that it serves, named by `NAME_READY_FD` (`ServerIdentity.readyVariable`; see
/// `BinaryUpgrade`).
///
/// The variable is removed from the environment as soon as it is read, so that workers
/// and the programs they run do not see it, and the descriptor is made close-on-exec.
final class UpgradeHandover {
    /// What the new master writes once ready (anything else, or end of file, is a failure).
    static let readyByte: UInt8 = 0x52  // "R"

    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The handover this process was started for, or nil when it was not started by an
    /// upgrading master. A value that names no open descriptor is logged and ignored:
    /// the server then serves as if started by hand.
    static func fromEnvironment(variable: String, log: ServerLog) -> UpgradeHandover? {
        guard let text = Environment.value(variable) else { return nil }
        Environment.remove(variable)
        guard let fd = Int32(text), fd > 2, pc_set_close_on_exec(fd) == 0 else {
            log.now(ServerEvent(
                "upgrade_handover_ignored", .warning, "\(log.prefix)ignoring \(variable)='\(text)': not an open descriptor",
                ["variable": .string(variable), "value": .string(text)]))
            return nil
        }
        return UpgradeHandover(descriptor: fd)
    }

    /// Tells the old master that this one serves, then closes the pipe. A master that
    /// has gone meanwhile (EPIPE) changes nothing here.
    func tellReady() {
        guard descriptor >= 0 else { return }
        var byte = Self.readyByte
        _ = pc_write_all(descriptor, &byte, 1)
        _ = pc_close(descriptor)
        descriptor = -1
    }
}
