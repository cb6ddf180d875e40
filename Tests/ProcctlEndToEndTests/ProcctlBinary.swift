import CProcShim
import ProcCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The built `procctl` executable, run the way a user runs it, with its output captured.
enum ProcctlBinary {
    /// What one run of procctl left behind.
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
        var elapsedSeconds: Double

        var outputLines: [Substring] { standardOutput.split(separator: "\n") }
    }

    /// `procctl` beside this test bundle in the build folder (`swift test` builds it).
    static let path: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        var directory = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        // The runner is .build/<triple>/debug/procctlPackageTests.xctest.
        while !directory.isEmpty && !directory.hasSuffix("/") { directory.removeLast() }
        return directory + "procctl"
    }()

    /// The package's root: the build folder's parent.
    static let packageRoot: String = {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        while let last = parts.last, last != ".build" { parts.removeLast() }
        parts.removeLast()
        return parts.joined(separator: "/")
    }()

    /// Runs procctl with `arguments` and waits for it, killing it after `timeout`.
    /// stdin is /dev/null unless `input` is given.
    static func run(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(30)) throws -> Result {
        let (outRead, outWrite) = try FileDescriptor.closeOnExecPipe()
        let (errRead, errWrite) = try FileDescriptor.closeOnExecPipe()
        let (inRead, inWrite) = try FileDescriptor.closeOnExecPipe()
        var program = Program(path, arguments: arguments)
        program.standardInput = inRead
        program.standardOutput = outWrite
        program.standardError = errWrite
        let child = ChildProcess(executing: program)
        let started = pc_monotonic_ns()
        try child.start()
        defer {
            try? child.kill()
            try? child.join()
        }
        for descriptor in [inRead, outWrite, errWrite] { try descriptor.close() }
        if let input { try inWrite.writeAll(input.utf8) }
        try inWrite.close()
        let deadline = pc_monotonic_ns() + timeout.nanoseconds
        let (outText, errText) = try drain(outRead, errRead, until: deadline)
        let finished = try child.join(timeout: .nanoseconds(max(0, deadline - pc_monotonic_ns())))
        guard finished, let code = child.exitCode else {
            throw TestFailure("procctl \(arguments) did not end within \(timeout)")
        }
        return Result(
            status: code,
            standardOutput: outText,
            standardError: errText,
            elapsedSeconds: Double(pc_monotonic_ns() - started) / 1e9
        )
    }
}

extension ProcctlBinary {
    /// Reads two pipes to their ends at once, so that neither fills up and blocks the
    /// writer, then closes them. Stops at `deadline` (monotonic nanoseconds).
    static func drain(_ first: FileDescriptor, _ second: FileDescriptor, until deadline: Int64) throws -> (String, String) {
        var texts: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: first.rawValue, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: second.rawValue, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            let left = (deadline - pc_monotonic_ns()) / 1_000_000
            guard left > 0 else { break }
            let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: left))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    texts[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    fds[index].fd = -1
                }
            }
        }
        try? first.close()
        try? second.close()
        return (String(decoding: texts[0], as: UTF8.self), String(decoding: texts[1], as: UTF8.self))
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// A failed expectation about a process, with what was seen.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
