import ProcCore
import ProcTestSupport
import Testing

import Glibc

/// sd_notify's protocol without libsystemd: one datagram per notification.
@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func notificationArrivesAsOneDatagram(abstract: Bool) throws {
        let socket = try NotifySocket(abstract: abstract)
        let notifier = SystemdNotifier(socketPath: socket.name)
        try notifier.notify(.ready, .status("serving\non 127.0.0.1:8080"), .mainPID(4242))
        #expect(socket.receive() == "READY=1\nSTATUS=serving on 127.0.0.1:8080\nMAINPID=4242")
        try notifier.notify(.reloading, .monotonicNow())
        let reloading = try #require(socket.receive())
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        let usec = Int64(reloading.split(separator: "=").last ?? "")
        #expect(usec != nil && usec! > 0)
    }

    @Test func aSocketThatDoesNotExistIsATypedError() {
        let notifier = SystemdNotifier(socketPath: "/tmp/procctl-no-such-socket-\(getpid())")
        let error = processError { try notifier.notify(.ready) }
        #expect(error?.code == .systemCall)
        #expect(error?.errno == .noSuchFileOrDirectory || error?.errno == .connectionRefused)
    }

    @Test func aPathTooLongIsATypedError() {
        let notifier = SystemdNotifier(socketPath: "/tmp/" + String(repeating: "x", count: 200))
        #expect(processError { try notifier.notify(.ready) }?.errno == .fileNameTooLong)
    }
}
