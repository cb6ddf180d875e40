import CProcShim
import Synchronization

import Glibc

/// The one place async code waits for descriptors: one thread in epoll_wait over every
/// descriptor an awaiting task watches (pidfds, sockets, a pool's own poll set), which
/// resumes each task's continuation when its descriptor becomes readable, so no
/// cooperative thread ever blocks in a system call.
///
/// The thread starts at the first wait and runs for the life of the process. It makes
/// the process multithreaded, as Swift concurrency's own threads already do: a program
/// that awaits children should start them through a `ForkServer`.
final class DescriptorWatcher: Sendable {
    /// What a cancelled wait does.
    enum OnCancel: Sendable {
        /// Stop waiting at once.
        case stopWaiting
        /// Send SIGTERM through `pidfd`, SIGKILL if the process still runs after `grace`, and
        /// keep waiting for the descriptor (swift-subprocess's teardown).
        case terminate(pidfd: Int32, grace: Duration)
    }

    private struct Waiter {
        var fd: Int32
        var onCancel: OnCancel
        var continuation: CheckedContinuation<Void, Never>?
        /// The descriptor became readable, or a `.stopWaiting` wait was cancelled.
        var fired = false
        var cancelled = false
        /// When the wait gives up, if it has a deadline.
        var deadline: ContinuousClock.Instant?
        var timedOut = false
        /// When SIGKILL follows the SIGTERM of a cancelled `.terminate` wait.
        var killAt: ContinuousClock.Instant?
    }

    private struct State {
        var nextToken: UInt64 = 1
        var waiters: [UInt64: Waiter] = [:]
        var threadStarted = false
    }

    static let shared = DescriptorWatcher()

    private let epfd: Int32
    /// An eventfd that wakes the thread when a deadline was set (watched level-triggered).
    private let wakeFD: Int32
    private let state = Mutex(State())
    private static let wakeToken: UInt64 = 0

    private init() {
        var epfd: Int32 = -1
        var wakeFD: Int32 = -1
        // Failing here means the process is out of descriptors or memory at its first
        // await: there is nothing better to do than say so.
        if pc_epoll_create(&epfd) != 0 || pc_eventfd(&wakeFD) != 0
            || pc_epoll_watch_readable(epfd, wakeFD, Self.wakeToken) != 0 {
            fatalError("DescriptorWatcher: cannot create its epoll set")
        }
        self.epfd = epfd
        self.wakeFD = wakeFD
    }

    /// How a wait ended.
    enum Outcome: Sendable {
        /// The descriptor is readable (or hung up).
        case ready
        /// The task was cancelled: with `.terminate`, after the descriptor became readable.
        case cancelled
        /// The deadline passed first.
        case timedOut
    }

    /// Waits until `fd` is readable (or hung up), until `deadline` if there is one, or
    /// until the task is cancelled when `onCancel` is `.stopWaiting`.
    @discardableResult
    func waitUntilReadable(
        _ fd: Int32, onCancel: OnCancel, deadline: ContinuousClock.Instant? = nil
    ) async throws(ProcessError) -> Outcome {
        startThreadIfNeeded()
        let token = state.withLock { state in
            defer { state.nextToken += 1 }
            state.waiters[state.nextToken] = Waiter(fd: fd, onCancel: onCancel, deadline: deadline)
            return state.nextToken
        }
        if deadline != nil { _ = pc_eventfd_signal(wakeFD) }
        let armed = pc_epoll_watch_readable_once(epfd, fd, token)
        if armed != 0 {
            _ = state.withLock { $0.waiters.removeValue(forKey: token) }
            throw .systemCall("epoll_ctl", armed)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.waiters[token]!.fired { return true }
                    state.waiters[token]!.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancel(token)
        }
        let waiter = state.withLock { $0.waiters.removeValue(forKey: token)! }
        return waiter.cancelled ? .cancelled : waiter.timedOut ? .timedOut : .ready
    }

    private func cancel(_ token: UInt64) {
        let toResume = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var waiter = state.waiters[token], !waiter.fired else { return nil }
            waiter.cancelled = true
            defer { state.waiters[token] = waiter }
            switch waiter.onCancel {
            case .stopWaiting:
                return fire(&waiter)
            case .terminate(let pidfd, let grace):
                _ = pc_pidfd_send_signal(pidfd, SIGTERM)
                waiter.killAt = .now + grace
                _ = pc_eventfd_signal(wakeFD)
                return nil
            }
        }
        toResume?.resume()
    }

    /// Marks `waiter` done and disarms its descriptor (under the lock, so that the
    /// descriptor is out of the epoll set before its owner can close it); returns the
    /// continuation to resume once the lock is released, if the task has parked.
    private func fire(_ waiter: inout Waiter) -> CheckedContinuation<Void, Never>? {
        _ = pc_epoll_remove(epfd, waiter.fd)
        waiter.fired = true
        waiter.killAt = nil
        waiter.deadline = nil
        defer { waiter.continuation = nil }
        return waiter.continuation
    }

    private func startThreadIfNeeded() {
        let start = state.withLock { state in
            defer { state.threadStarted = true }
            return !state.threadStarted
        }
        guard start else { return }
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { _ in
            DescriptorWatcher.shared.run()
        }, nil)
        if result != 0 { fatalError("DescriptorWatcher: cannot start its thread (errno \(result))") }
        pthread_detach(thread)
    }

    private func run() -> Never {
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            var count: Int32 = 0
            let timeout = state.withLock { state in
                let deadlines = state.waiters.values.flatMap { [$0.killAt, $0.deadline].compactMap { $0 } }
                return deadlines.min().map { (ContinuousClock.now.duration(to: $0)).roundedUpMilliseconds } ?? -1
            }
            let result = tokens.withUnsafeMutableBufferPointer {
                pc_epoll_wait(epfd, $0.baseAddress, Int32($0.count), timeout, &count)
            }
            if result != 0 { continue }
            var ready: [CheckedContinuation<Void, Never>] = []
            state.withLock { state in
                for token in tokens[0..<Int(count)] {
                    if token == Self.wakeToken {
                        _ = pc_eventfd_drain(wakeFD)
                        continue
                    }
                    guard var waiter = state.waiters[token], !waiter.fired else { continue }
                    if let continuation = fire(&waiter) { ready.append(continuation) }
                    state.waiters[token] = waiter
                }
                let now = ContinuousClock.now
                for (token, var waiter) in state.waiters {
                    guard let deadline = waiter.deadline, deadline <= now, !waiter.fired else { continue }
                    waiter.timedOut = true
                    if let continuation = fire(&waiter) { ready.append(continuation) }
                    state.waiters[token] = waiter
                }
                for (token, waiter) in state.waiters {
                    guard let killAt = waiter.killAt, killAt <= now,
                          case .terminate(let pidfd, _) = waiter.onCancel else { continue }
                    _ = pc_pidfd_send_signal(pidfd, SIGKILL)
                    state.waiters[token]!.killAt = nil
                }
            }
            for continuation in ready { continuation.resume() }
        }
    }
}
