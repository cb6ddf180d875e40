import CProcShim
import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// A one-byte signal from a child to its parent ("I hold the lock", "I am waiting"):
/// the parent waits for it at most 10 s.
struct ReadySignal {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        (readEnd, writeEnd) = try makePipe()
    }

    /// In the child: says it is ready.
    func send() {
        var byte: UInt8 = 1
        _ = pc_write_all(writeEnd, &byte, 1)
    }

    /// In the parent: whether `count` signals came within 10 s.
    func wait(count: Int = 1) -> Bool {
        read(readEnd, exactly: count).count == count
    }

    func close() {
        _ = pc_close(readEnd)
        _ = pc_close(writeEnd)
    }
}

/// Starts a forked child running `body`, for tests that stop it with `stop` (deferred).
func startChild(_ body: @escaping () throws -> Void) throws -> ChildProcess {
    let child = ChildProcess(threadPolicy: .allow, body)
    try child.start()
    return child
}

/// Holds forked children at a line until the parent opens it, so that they run at the
/// same time (a forked child otherwise runs its short loop before the next one exists).
struct StartGate {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        (readEnd, writeEnd) = try makePipe()
    }

    /// In a child: waits (at most 10 s) until the gate is open; the byte is left unread.
    func pass() {
        var revents: Int16 = 0
        _ = pc_poll_one(readEnd, Int16(POLLIN), 10_000, &revents)
    }

    /// In the parent: lets every child through.
    func open() {
        var byte: UInt8 = 1
        _ = pc_write_all(writeEnd, &byte, 1)
    }

    func close() {
        _ = pc_close(readEnd)
        _ = pc_close(writeEnd)
    }
}
