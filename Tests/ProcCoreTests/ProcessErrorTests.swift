import CProcShim
import ProcCore
import SystemPackage
import Testing

import Glibc

extension ForkingTests {
    /// ProcessError: one readable line, and equality for the caller's checks.
    @Suite struct ProcessErrorTests {
        /// The C library's own text for an errno value.
        private func systemText(_ value: Int32) -> String {
            String(cString: strerror(value))
        }

        @Test func failedStartNamesTheProgramAndTheReason() {
            let child = ChildProcess(executing: Program("/nonexistent/pc-program"))
            defer { stop(child) }
            let thrown = processError { try child.start() }
            #expect(thrown?.description == "/nonexistent/pc-program: \(systemText(ENOENT))")
            #expect(thrown?.code == .cannotExecute)
            #expect(thrown?.operation == "/nonexistent/pc-program")
            #expect(thrown?.errno?.rawValue == ENOENT)
        }

        @Test func misuseErrorNamesTheOperationAndTheProblem() throws {
            let child = ChildProcess(threadPolicy: .allow) {}
            let thrown = try #require(processError { try child.join() })
            #expect(thrown.description == "join: process not started")
            #expect(thrown.errno == nil)
            #expect(!thrown.description.contains("\n"))
        }

        @Test func systemCallErrorUsesTheErrnoText() {
            let failure = ProcessError.systemCall("fork", EAGAIN)
            #expect(failure.code == .systemCall)
            #expect(failure.errno == .resourceTemporarilyUnavailable)
            #expect(failure.description == "fork: \(systemText(EAGAIN))")
        }

        @Test func everyCodeHasItsOwnDescription() {
            let codes: [ProcessError.Code] = [
                .systemCall, .alreadyStarted, .notStarted, .stillRunning, .closed,
                .notOwnChild, .multithreadedParent, .cannotExecute, .invalidArgument,
            ]
            #expect(Set(codes.map(\.description)).count == codes.count)
            #expect(codes.allSatisfy { !$0.description.isEmpty })
            #expect(ProcessError(.closed, operation: "kill").description == "kill: already closed")
        }

        @Test func equalityComparesCodeOperationAndErrno() {
            let a = ProcessError(.cannotExecute, operation: "x", errno: .noSuchFileOrDirectory)
            #expect(a == ProcessError(.cannotExecute, operation: "x", errno: .noSuchFileOrDirectory))
            #expect(a != ProcessError(.cannotExecute, operation: "x", errno: .permissionDenied))
            #expect(a != ProcessError(.cannotExecute, operation: "y", errno: .noSuchFileOrDirectory))
            #expect(a != ProcessError(.systemCall, operation: "x", errno: .noSuchFileOrDirectory))
        }
    }
}
