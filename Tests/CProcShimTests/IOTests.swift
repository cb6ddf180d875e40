import CProcShim
import ProcTestSupport
import Testing

import Glibc

extension ShimTests {
    /// pc_read, pc_read_full, pc_write_all, pc_pipe, pc_close, pc_poll_one, pc_count_open_fds.
    @Suite struct IOTests {
        /// 4 MiB with a pattern that a lost, repeated or reordered chunk would break.
        private static let payload: [UInt8] = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }

        /// A checksum that depends on the position of every byte.
        private static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            var sum: UInt64 = 1469598103934665603
            for byte in bytes { sum = (sum ^ UInt64(byte)) &* 1099511628211 }
            return sum
        }

        private func socketPair() throws -> (Int32, Int32) {
            var fds: [Int32] = [-1, -1]
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
            return (fds[0], fds[1])
        }

        @Test func largeWriteThroughSocketPairArrivesWhole() throws {
            let (mine, theirs) = try socketPair()
            defer { _ = pc_close(mine) }
            let length = Self.payload.count
            // The reader child reads exactly `length` bytes and answers with their checksum.
            let pid = try forkChild {
                _ = pc_close(mine)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 8)
                var count = 0
                guard pc_read_full(theirs, buffer.baseAddress, length, &count) == 0, count == length else { return 70 }
                var sum = Self.checksum(UnsafeRawBufferPointer(buffer))
                return pc_write_all(theirs, &sum, 8) == 0 ? 0 : 71
            }
            defer { stop(pid) }
            _ = pc_close(theirs)
            // Bounds every blocking call below, should the child misbehave.
            #expect(pc_socket_set_timeout(mine, 20_000) == 0)
            let rc = Self.payload.withUnsafeBytes { pc_write_all(mine, $0.baseAddress, $0.count) }
            #expect(rc == 0)
            var sum: UInt64 = 0
            var count = 0
            #expect(pc_read_full(mine, &sum, 8, &count) == 0)
            #expect(count == 8)
            #expect(sum == Self.payload.withUnsafeBytes { Self.checksum($0) })
            expectCleanExit(pid)
        }

        @Test func largeWriteThroughPipeArrivesWhole() throws {
            let (dataRead, dataWrite) = try makePipe()
            let (answerRead, answerWrite) = try makePipe()
            defer { _ = pc_close(answerRead) }
            let length = Self.payload.count
            let pid = try forkChild {
                _ = pc_close(dataWrite)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 8)
                // Small reads: pc_read_full must put many partial reads together.
                var done = 0
                while done < length {
                    var count = 0
                    let chunk = min(1000, length - done)
                    guard pc_read(dataRead, buffer.baseAddress! + done, chunk, &count) == 0, count > 0 else { return 72 }
                    done += count
                }
                var sum = Self.checksum(UnsafeRawBufferPointer(buffer))
                return pc_write_all(answerWrite, &sum, 8) == 0 ? 0 : 73
            }
            defer { stop(pid) }
            _ = pc_close(dataRead)
            _ = pc_close(answerWrite)
            let rc = Self.payload.withUnsafeBytes { pc_write_all(dataWrite, $0.baseAddress, $0.count) }
            #expect(rc == 0)
            _ = pc_close(dataWrite)
            let answer = read(answerRead, exactly: 8)
            try #require(answer.count == 8)
            let sum = answer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            #expect(sum == Self.payload.withUnsafeBytes { Self.checksum($0) })
            expectCleanExit(pid)
        }

        @Test func writeToAGoneReaderIsEPIPEWithoutDying() throws {
            // In a child: there no other test can hold a copy of the read end.
            let pid = try forkChild {
                // A socket: MSG_NOSIGNAL keeps SIGPIPE away even with its default action.
                signal(SIGPIPE, SIG_DFL)
                var pair: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return 80 }
                _ = pc_close(pair[1])
                let big = [UInt8](repeating: 7, count: 1 << 20)
                guard pc_write_all(pair[0], big, big.count) == EPIPE else { return 81 }

                // A pipe: pc_fork's child ignores SIGPIPE, so write(2) fails with EPIPE.
                var fds: [Int32] = [-1, -1]
                guard pc_pipe(&fds) == 0 else { return 82 }
                _ = pc_close(fds[0])
                guard pc_ignore_sigpipe() == 0 else { return 83 }
                guard pc_write_all(fds[1], big, big.count) == EPIPE else { return 84 }
                return 0
            }
            expectCleanExit(pid)
        }

        @Test func writeToAGoneReaderMidwayIsEPIPE() throws {
            // The reader takes a little and leaves; the writer is blocked in a partial write.
            let pid = try forkChild {
                var pair: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return 85 }
                var reader: pid_t = -1
                guard pc_fork(&reader) == 0 else { return 86 }
                if reader == 0 {
                    _ = pc_close(pair[0])
                    var buffer = [UInt8](repeating: 0, count: 1000)
                    var count = 0
                    _ = pc_read_full(pair[1], &buffer, buffer.count, &count)
                    pc_child_exit(0)
                }
                _ = pc_close(pair[1])
                let big = [UInt8](repeating: 1, count: 8 << 20)
                let rc = pc_write_all(pair[0], big, big.count)
                var status = pc_exit_status()
                _ = pc_wait(reader, &status)
                return rc == EPIPE || rc == ECONNRESET ? 0 : 87
            }
            expectCleanExit(pid)
        }

        @Test func sigpipeKillsWithoutIgnoreSigpipe() throws {
            // The control for the test above: with SIGPIPE's default action, write(2) to a pipe kills.
            let pid = try forkChild {
                signal(SIGPIPE, SIG_DFL)
                var fds: [Int32] = [-1, -1]
                guard pc_pipe(&fds) == 0 else { return 90 }
                _ = pc_close(fds[0])
                var byte: UInt8 = 1
                _ = pc_write_all(fds[1], &byte, 1)
                return 91
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGPIPE)
        }

        @Test func readAndWriteOnBadDescriptorAreEBADF() {
            var byte: UInt8 = 0
            var count = 0
            #expect(pc_read(-1, &byte, 1, &count) == EBADF)
            #expect(pc_read_full(-1, &byte, 1, &count) == EBADF)
            #expect(pc_write_all(-1, &byte, 1) == EBADF)
            #expect(pc_close(-1) == EBADF)
        }

        @Test func pipeEndsAreCloseOnExecAndConnected() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            #expect(isCloseOnExec(readEnd))
            #expect(isCloseOnExec(writeEnd))
            let message = Array("through".utf8)
            #expect(pc_write_all(writeEnd, message, message.count) == 0)
            var buffer = [UInt8](repeating: 0, count: 16)
            var count = 0
            #expect(pc_read(readEnd, &buffer, buffer.count, &count) == 0)
            #expect(Array(buffer[0..<count]) == message)
            #expect(pc_close(writeEnd) == 0)
        }

        @Test func pollOneTimesOutThenSeesData() throws {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd); _ = pc_close(writeEnd) }
            var revents: Int16 = -1
            let before = pc_monotonic_ns()
            #expect(pc_poll_one(readEnd, Int16(POLLIN), 50, &revents) == 0)
            #expect(revents == 0)
            #expect(pc_monotonic_ns() - before >= 49_000_000)
            var byte: UInt8 = 1
            #expect(pc_write_all(writeEnd, &byte, 1) == 0)
            #expect(pc_poll_one(readEnd, Int16(POLLIN), 1_000, &revents) == 0)
            #expect(revents & Int16(POLLIN) != 0)
            #expect(pc_poll_one(writeEnd, Int16(POLLOUT), 0, &revents) == 0)
            #expect(revents & Int16(POLLOUT) != 0)
        }

        @Test func monotonicClockAdvances() {
            let a = pc_monotonic_ns()
            usleep(1_000)
            let b = pc_monotonic_ns()
            #expect(b - a >= 1_000_000)
        }

        @Test func countOpenFdsOfAChildSeesItsDescriptors() throws {
            // A forked child (single-threaded, so nothing opens behind our back) opens
            // two more descriptors and checks that its own count grows by exactly two.
            let pid = try forkChild {
                var before: Int32 = 0
                guard pc_count_open_fds(getpid(), &before) == 0 else { return 100 }
                var fds: [Int32] = [-1, -1]
                guard pc_pipe(&fds) == 0 else { return 101 }
                var after: Int32 = 0
                guard pc_count_open_fds(getpid(), &after) == 0 else { return 102 }
                return after == before + 2 ? 0 : 103
            }
            defer { stop(pid) }
            expectCleanExit(pid)
            var count: Int32 = 0
            #expect(pc_count_open_fds(getpid(), &count) == 0)
            #expect(count >= 3)
            #expect(pc_count_open_fds(-5, &count) == ENOENT)
        }
    }
}
