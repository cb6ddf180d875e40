import CProcShim
import ProcCore
import ProcTestSupport
import Synchronization
import Testing

import Glibc

/// Entry points the test servers run: made before each server, so they exist in its image.
private let exitWith = ForkEntryPoint<Int32>("exitWith") { code in throw ChildProcess.Exit(code) }
private let sleepFor = ForkEntryPoint<UInt32>("sleepFor") { milliseconds in usleep(milliseconds * 1000) }
private let ignoreTermAndSleep = ForkEntryPoint<UInt32>("ignoreTermAndSleep") { seconds in
    signal(SIGTERM, SIG_IGN)
    sleep(seconds)
}
/// Allocates and takes a lock, as the threads of the requester do all the while: a child
/// forked while one of them held malloc's or the runtime's locks would hang here.
private let allocateAndLock = ForkEntryPoint<Int>("allocateAndLock") { size in
    let lock = Mutex([Int]())
    lock.withLock { $0 = Array(repeating: size, count: size) }
    let total = lock.withLock { $0.reduce(0, +) }
    if total != size * size { throw ChildProcess.Exit(3) }
}

/// Stops `server` whatever happened; its children are terminated and reaped by it.
private func stopping<T>(_ server: ForkServer, _ body: (ForkServer) throws -> T) rethrows -> T {
    defer { server.stop() }
    return try body(server)
}

extension ForkingTests {
    /// ForkServer: children forked by a one-thread server on behalf of this multithreaded test process.
    @Suite struct ForkServerTests {
        // The test process already runs threads: `.allow` forks the server anyway (a real
        // program creates it first thing in main, before any thread).
        private func makeServer() throws -> ForkServer {
            try ForkServer(serving: exitWith, sleepFor, ignoreTermAndSleep, allocateAndLock, threadPolicy: .allow)
        }

        @Test func exitCodesComeBackThroughTheServer() throws {
            try stopping(makeServer()) { server in
                for code: Int32 in [0, 1, 7, 255] {
                    let child = try server.start(exitWith, with: code)
                    #expect(child.pid > 0 && child.pid != getpid() && child.pid != server.pid)
                    try child.join()
                    #expect(child.exitCode == code)
                    #expect(try !child.isAlive)
                }
            }
        }

        @Test func joinWithTimeoutTerminateAndKill() throws {
            try stopping(makeServer()) { server in
                let child = try server.start(sleepFor, with: 30_000)
                #expect(try child.join(timeout: .milliseconds(50)) == false)
                #expect(try child.isAlive)
                #expect(child.exitCode == nil)
                try child.terminate()
                #expect(try child.join(timeout: .seconds(10)))
                #expect(child.exitCode == -SIGTERM)
                try child.kill()  // ended: nothing to do

                let stubborn = try server.start(ignoreTermAndSleep, with: 30)
                usleep(50_000)
                try stubborn.terminate()
                #expect(try stubborn.join(timeout: .milliseconds(100)) == false)
                try stubborn.kill()
                #expect(try stubborn.join(timeout: .seconds(10)))
                #expect(stubborn.exitCode == -SIGKILL)
            }
        }

        @Test func aTimeoutThatRunsOutEscalatesToSIGKILLForAChildThatIgnoresSIGTERM() throws {
            try stopping(makeServer()) { server in
                let quick = try server.start(exitWith, with: 3)
                #expect(try quick.join(terminatingAfter: .seconds(30), killingAfter: .seconds(30)) == false)
                #expect(quick.exitCode == 3)

                let stubborn = try server.start(ignoreTermAndSleep, with: 30)
                #expect(try stubborn.join(terminatingAfter: .milliseconds(100), killingAfter: .milliseconds(100)))
                #expect(stubborn.exitCode == -SIGKILL)
            }
        }

        @Test func waitForReadyWaitsOnAForkServerChildAsOnAChildProcess() throws {
            try stopping(makeServer()) { server in
                let sleeper = try server.start(sleepFor, with: 30_000)
                let quitter = try server.start(exitWith, with: 5)
                let local = ChildProcess(threadPolicy: .allow) { TestClock.sleep(30) }
                try local.start()
                defer { stop(local) }
                let handles: [any ProcessHandle] = [sleeper, quitter, local]
                #expect(try waitForReady(handles, timeout: .seconds(10)) == [1])
                #expect(quitter.exitCode == 5)
                #expect(try waitForReady([quitter], timeout: .zero) == [0], "an ended child stays ready")
                for handle in handles { try handle.kill() }
                for handle in handles { #expect(try handle.join(timeout: .seconds(10))) }
                #expect(handles.allSatisfy { $0.exitCode == -SIGKILL || $0 === quitter })
            }
        }

        @Test func anEntryTheServerWasNotCreatedWithIsRefused() throws {
            let other = ForkEntryPoint<Int>("notServed") { _ in }
            try stopping(makeServer()) { server in
                #expect(processError { _ = try server.start(other, with: 1) }?.code == .unknownEntryPoint)
                // The server still serves.
                let child = try server.start(exitWith, with: 4)
                try child.join()
                #expect(child.exitCode == 4)
            }
        }

        @Test func stopEndsTheServerAndItsChildren() throws {
            let server = try makeServer()
            let child = try server.start(sleepFor, with: 30_000)
            let childPID = child.pid
            server.stop()
            #expect(kill(server.pid, 0) != 0, "server still exists")
            #expect(kill(childPID, 0) != 0, "served child still exists")
            #expect(child.exitCode == -SIGTERM)
            #expect(processError { _ = try server.start(exitWith, with: 0) }?.code == .forkServerUnavailable)
        }

        @Test func awaitedJoinAndCancellation() async throws {
            let server = try makeServer()
            defer { server.stop() }
            let child = try server.start(exitWith, with: 9)
            try await child.join()
            #expect(child.exitCode == 9)

            nonisolated(unsafe) let sleeper = try server.start(sleepFor, with: 30_000)
            let waiting = Task { try await sleeper.join() }
            usleep(50_000)
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(sleeper.exitCode == -SIGTERM)
        }

        /// The proof: eight threads allocate and take locks all the while, and a
        /// thousand children started through the server all end normally; plain fork under
        /// `.refuse` is refused.
        @Test func aThousandChildrenFromAProcessRunningEightBusyThreads() throws {
            let server = try makeServer()
            defer { server.stop() }
            let busy = BusyThreads(count: 8)
            defer { busy.stop() }
            let deadline = TestClock.now() + 60
            var normal = 0
            var batch: [ForkServer.Child] = []
            for index in 0..<1000 where TestClock.now() < deadline {
                batch.append(try server.start(allocateAndLock, with: 64 + index % 64))
                guard batch.count == 20 || index == 999 else { continue }
                for child in batch {
                    if try child.join(timeout: .seconds(10)) == false { try child.kill(); try child.join() }
                    if child.exitCode == 0 { normal += 1 }
                }
                batch.removeAll()
            }
            #expect(normal == 1000)
            #expect(busy.rounds > 0, "the busy threads never ran")
            let plain = ChildProcess(threadPolicy: .refuse) {}
            #expect(processError { try plain.start() }?.code == .multithreadedParent)
        }
    }
}

/// Threads that allocate and take a lock in a loop until stopped.
private final class BusyThreads: Sendable {
    private let running = Atomic<Bool>(true)
    private let counter = Atomic<Int>(0)
    private let lock = Mutex([Int]())
    private let threads: Mutex<[pthread_t]> = Mutex([])

    init(count: Int) {
        for _ in 0..<count {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let created = pthread_create(&thread, nil, { context in
                let busy = Unmanaged<BusyThreads>.fromOpaque(context!).takeRetainedValue()
                busy.spin()
                return nil
            }, context)
            if created == 0 { threads.withLock { $0.append(thread) } }
        }
    }

    var rounds: Int { counter.load(ordering: .relaxed) }

    private func spin() {
        while running.load(ordering: .relaxed) {
            for _ in 0..<200 {
                let values = (0..<32).map { $0 * 3 }
                lock.withLock { $0 = values + [values.count] }
            }
            counter.wrappingAdd(1, ordering: .relaxed)
            // Leaves the two cores some time for the server, so that the test stays short.
            usleep(200)
        }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        for thread in threads.withLock({ $0 }) { pthread_join(thread, nil) }
    }
}
