import CProcShim
import ProcCore
import ProcTestSupport
import SystemPackage
import Testing

import Glibc

extension ForkingTests {
    /// The exec API: `ChildProcess(executing: Program(...))`.
    @Suite struct ProgramTests {
        /// Runs `program` with its stdout on a pipe; returns the output once it has ended.
        private func output(of program: Program) throws -> (String, ChildProcess) {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            var program = program
            program.standardOutput = FileDescriptor(rawValue: writeEnd)
            let child = ChildProcess(executing: program)
            let started = Result { () throws(ProcessError) in try child.start() }
            _ = pc_close(writeEnd)
            try started.get()
            defer { stop(child) }
            finish(child)
            return (text(drain(readEnd)), child)
        }

        @Test func exitCodeOfTheProgram() throws {
            let child = ChildProcess(executing: Program("/bin/sh", arguments: ["-c", "exit 3"]))
            try child.start()
            defer { stop(child) }
            try child.join()
            #expect(child.exitCode == 3)
        }

        @Test func killedProgramEndsWithMinusNine() throws {
            let child = ChildProcess(executing: Program("/bin/sleep", arguments: ["30"]))
            try child.start()
            defer { stop(child) }
            #expect(try child.join(timeout: .milliseconds(50)) == false)
            #expect(try child.isAlive)
            try child.kill()
            #expect(try child.join(timeout: .seconds(10)))
            #expect(child.exitCode == -SIGKILL)
        }

        @Test func terminatedProgramEndsWithMinusFifteen() throws {
            let child = ChildProcess(executing: Program("sleep", arguments: ["30"]))
            try child.start()
            defer { stop(child) }
            try child.terminate()
            finish(child)
            #expect(child.exitCode == -SIGTERM)
        }

        @Test func programNameIsLookedUpInPATH() throws {
            let (out, child) = try output(of: Program("sh", arguments: ["-c", "echo by-name"]))
            #expect(child.exitCode == 0)
            #expect(out == "by-name\n")
            #expect(child.name == "sh")
        }

        @Test(arguments: ["/nonexistent/pc-program", "pc-no-such-program-anywhere"])
        func missingProgramIsCannotExecuteWithENOENT(executable: String) {
            let child = ChildProcess(executing: Program(executable))
            let thrown = processError { try child.start() }
            defer { stop(child) }
            #expect(thrown == ProcessError(.cannotExecute, operation: executable, errno: .noSuchFileOrDirectory))
            #expect(child.pid == nil, "no child is left behind")
            #expect(child.exitCode == nil)
        }

        @Test func nonExecutableFileIsCannotExecuteWithEACCES() throws {
            var template = Array("/tmp/pc-core-noexec-XXXXXX".utf8CString)
            let fd = mkstemp(&template)
            try #require(fd >= 0)
            _ = pc_close(fd)
            let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            defer { unlink(path) }
            try #require(chmod(path, 0o644) == 0)
            let child = ChildProcess(executing: Program(path))
            defer { stop(child) }
            #expect(processError { try child.start() } == ProcessError(.cannotExecute, operation: path, errno: .permissionDenied))
        }

        @Test func environmentAndWorkingDirectoryAreTheProgramsOwn() throws {
            let program = Program(
                "/bin/sh",
                arguments: ["-c", "echo \"$PC_VALUE\"; echo \"${HOME-unset}\"; pwd"],
                environment: ["PC_VALUE": "two words", "PATH": "/usr/bin:/bin"],
                workingDirectory: "/usr"
            )
            let (out, child) = try output(of: program)
            #expect(child.exitCode == 0)
            #expect(out == "two words\nunset\n/usr\n")
        }

        @Test(arguments: [false, true])
        func processGroupIsTheParentsOrItsOwn(newGroup: Bool) throws {
            var program = Program("/bin/sleep", arguments: ["30"])
            program.startsInNewProcessGroup = newGroup
            let child = ChildProcess(executing: program)
            try child.start()
            defer { stop(child) }
            let pid = try #require(child.pid)
            let stat = try #require(ProcStat(pid))
            #expect(stat.processGroup == (newGroup ? pid : getpgrp()))
        }

        @Test func argumentsArePassedUnchanged() throws {
            let (out, child) = try output(of: Program("/bin/sh", arguments: ["-c", "printf '%s|' \"$@\"", "sh", "a b", "", "*"]))
            #expect(child.exitCode == 0)
            #expect(out == "a b||*|")
        }

        @Test func missingWorkingDirectoryIsCannotExecute() {
            let child = ChildProcess(executing: Program("/bin/true", workingDirectory: "/nonexistent-pc-dir"))
            defer { stop(child) }
            let thrown = processError { try child.start() }
            #expect(thrown?.code == .cannotExecute)
            #expect(thrown?.errno == .noSuchFileOrDirectory)
        }

        @Test func programSeesNoDescriptorAboveTwo() throws {
            let (out, child) = try output(of: Program("/bin/sh", arguments: ["-c", "ls /proc/self/fd"]))
            #expect(child.exitCode == 0)
            let fds = Set(out.split(separator: "\n").compactMap { Int($0) })
            // ls holds one descriptor of its own: the directory it lists.
            #expect(fds.isSuperset(of: [0, 1, 2]))
            #expect(fds.count <= 4, "descriptors seen by the program: \(fds.sorted())")
        }

        @Test func closeOnExecPipeFromProcCore() throws {
            let pipe = try FileDescriptor.closeOnExecPipe()
            defer { try? pipe.readEnd.close() }
            #expect(fcntl(pipe.readEnd.rawValue, F_GETFD) & FD_CLOEXEC != 0)
            #expect(fcntl(pipe.writeEnd.rawValue, F_GETFD) & FD_CLOEXEC != 0)
            var program = Program("/bin/sh", arguments: ["-c", "echo via-procore-pipe"])
            program.standardOutput = pipe.writeEnd
            let child = ChildProcess(executing: program)
            let started = Result { () throws(ProcessError) in try child.start() }
            try pipe.writeEnd.close()
            try started.get()
            defer { stop(child) }
            finish(child)
            #expect(child.exitCode == 0)
            #expect(text(drain(pipe.readEnd.rawValue)) == "via-procore-pipe\n")
        }

        @Test func standardInputComesFromAPipe() throws {
            let (inRead, inWrite) = try makePipe()
            let message = Array("line for cat\n".utf8)
            #expect(pc_write_all(inWrite, message, message.count) == 0)
            _ = pc_close(inWrite)
            var program = Program("cat")
            program.standardInput = FileDescriptor(rawValue: inRead)
            let (out, child) = try output(of: program)
            _ = pc_close(inRead)
            #expect(child.exitCode == 0)
            #expect(out == "line for cat\n")
        }

        @Test(arguments: [
            Program("/bin/sh", arguments: ["-c", "exit 0", "sh", "a\u{0}b"]),
            Program("/bin/sh\u{0}x", arguments: ["-c", "exit 0"]),
            Program("/bin/sh", arguments: ["-c", "exit 0"], environment: ["A": "x\u{0}y"]),
            Program("/bin/sh", arguments: ["-c", "exit 0"], workingDirectory: "/\u{0}tmp"),
        ])
        func stringWithNULIsInvalidArgumentNotTruncated(program: Program) {
            // C strings end at NUL: passed on, "a\0b" would silently become "a".
            let child = ChildProcess(executing: program)
            defer { stop(child) }
            let thrown = processError { try child.start() }
            #expect(thrown?.code == .invalidArgument)
            #expect(child.pid == nil)
        }
    }
}
