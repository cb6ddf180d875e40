import CProcShim
import ProcTestSupport
import Testing

import Glibc

extension ShimTests {
    /// pc_spawn: arguments, environment, working directory, redirection, exec errors and
    /// the descriptors a program inherits.
    @Suite struct SpawnTests {
        /// Runs `argv` with its stdout on a pipe and returns the program's output and status.
        private func output(of argv: [String], configure: (inout pc_spawn_options) -> Void = { _ in }) throws -> (String, pc_exit_status) {
            let (readEnd, writeEnd) = try makePipe()
            defer { _ = pc_close(readEnd) }
            var options = pc_spawn_options()
            pc_spawn_options_init(&options)
            options.stdout_fd = writeEnd
            configure(&options)
            let (rc, pid) = spawn(argv, options: options)
            _ = pc_close(writeEnd)
            try #require(rc == 0, "pc_spawn \(argv) failed: \(rc)")
            defer { stop(pid) }
            let status = reap(pid)
            return (text(drain(readEnd)), status)
        }

        @Test func argumentsArePassedUnchanged() throws {
            let (out, status) = try output(of: ["/bin/sh", "-c", "printf '%s|' \"$0\" \"$@\"", "zero", "a b", "", "c*"])
            #expect(status.exited && status.code == 0)
            #expect(out == "zero|a b||c*|")
        }

        @Test func environmentReplacesTheParentsOne() throws {
            let names = ["PC_TEST_VALUE=hello world", "PATH=/usr/bin:/bin"]
            let environment: [UnsafeMutablePointer<CChar>?] = names.map { strdup($0) } + [nil]
            defer { environment.forEach { free($0) } }
            let (out, status) = try environment.withUnsafeBufferPointer { env in
                try output(of: ["/bin/sh", "-c", "echo \"$PC_TEST_VALUE\"; echo \"${HOME-unset}\""]) {
                    $0.environment = UnsafePointer(env.baseAddress)
                }
            }
            #expect(status.exited && status.code == 0)
            #expect(out == "hello world\nunset\n")
        }

        @Test func nilEnvironmentInheritsTheParentsOne() throws {
            // PATH is read, not set: setenv in a multithreaded process races with getenv.
            let path = String(cString: try #require(getenv("PATH")))
            let (out, _) = try output(of: ["/bin/sh", "-c", "echo \"${PATH-missing}\""])
            #expect(out == path + "\n")
        }

        @Test func workingDirectoryIsSet() throws {
            let (out, status) = try "/usr".withCString { dir in
                try output(of: ["/bin/sh", "-c", "pwd"]) { $0.working_directory = dir }
            }
            #expect(status.exited && status.code == 0)
            #expect(out == "/usr\n")
        }

        @Test func missingWorkingDirectoryIsAnError() throws {
            let rc = "/nonexistent-pc-dir".withCString { dir -> Int32 in
                var options = pc_spawn_options()
                pc_spawn_options_init(&options)
                options.working_directory = dir
                let (rc, pid) = spawn(["/bin/true"], options: options)
                if rc == 0 { stop(pid) }
                return rc
            }
            #expect(rc == ENOENT)
        }

        @Test func stdoutGoesToThePipe() throws {
            let (out, status) = try output(of: ["/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2"]) {
                $0.stderr_fd = $0.stdout_fd
            }
            #expect(status.exited && status.code == 0)
            #expect(out == "to-stdout\nto-stderr\n")
        }

        @Test func stdinComesFromThePipe() throws {
            let (inRead, inWrite) = try makePipe()
            let message = Array("line through stdin\n".utf8)
            #expect(pc_write_all(inWrite, message, message.count) == 0)
            _ = pc_close(inWrite)
            let (out, _) = try output(of: ["/bin/cat"]) { $0.stdin_fd = inRead }
            _ = pc_close(inRead)
            #expect(out == "line through stdin\n")
        }

        @Test func missingProgramIsENOENT() {
            let (rc, pid) = spawn(["/nonexistent/pc-program"])
            if rc == 0 { stop(pid) }
            #expect(rc == ENOENT)
        }

        @Test func missingProgramInPATHIsENOENT() {
            var options = pc_spawn_options()
            pc_spawn_options_init(&options)
            options.search_path = true
            let (rc, pid) = spawn(["pc-no-such-program-anywhere"], options: options)
            if rc == 0 { stop(pid) }
            #expect(rc == ENOENT)
        }

        @Test func programIsFoundInPATH() throws {
            let (out, status) = try output(of: ["sh", "-c", "echo found"]) { $0.search_path = true }
            #expect(status.exited && status.code == 0)
            #expect(out == "found\n")
        }

        @Test func nonExecutableFileIsEACCES() throws {
            var template = Array("/tmp/pc-shim-noexec-XXXXXX".utf8CString)
            let fd = mkstemp(&template)
            try #require(fd >= 0)
            let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            defer { unlink(path) }
            let script = Array("#!/bin/sh\nexit 0\n".utf8)
            #expect(pc_write_all(fd, script, script.count) == 0)
            _ = pc_close(fd)
            try #require(chmod(path, 0o644) == 0)
            let (rc, pid) = spawn([path])
            if rc == 0 { stop(pid) }
            #expect(rc == EACCES)
        }

        @Test func descriptorsAboveTwoAreNotInherited() throws {
            // A descriptor without close-on-exec: only the spawn's own closing keeps it out.
            // Numbered 100 or above (F_DUPFD, no FD_CLOEXEC): with dup(0) it could be 3,
            // which is also the number of the directory `ls` opens, and the test failed so.
            let leaky = fcntl(0, F_DUPFD, 100)
            try #require(leaky >= 100)
            try #require(fcntl(leaky, F_GETFD) & FD_CLOEXEC == 0)
            defer { _ = pc_close(leaky) }
            let (out, status) = try output(of: ["/bin/sh", "-c", "ls /proc/self/fd"])
            #expect(status.exited && status.code == 0)
            let fds = Set(out.split(separator: "\n").compactMap { Int32($0) })
            // ls itself holds one more descriptor: the directory it reads.
            #expect(fds.isSuperset(of: [0, 1, 2]))
            #expect(!fds.contains(leaky))
            #expect(fds.count <= 4, "descriptors seen by the program: \(fds.sorted())")
        }

        @Test func spawnedProgramHasExactlyThreeDescriptors() throws {
            let (rc, pid) = spawn(["/bin/sleep", "10"])
            try #require(rc == 0)
            defer { stop(pid) }
            // Its count is stable once it runs sleep; poll briefly for the exec to complete.
            var count: Int32 = -1
            for _ in 0..<200 {
                #expect(pc_count_open_fds(pid, &count) == 0)
                if count == 3 { break }
                usleep(5_000)
            }
            #expect(count == 3)
            Glibc.kill(pid, SIGKILL)
            reap(pid)
            // Once reaped, /proc/PID is gone.
            #expect(pc_count_open_fds(pid, &count) == ENOENT)
        }

        @Test func signalMaskAndDispositionsAreResetInProgram() throws {
            var block = sigset_t()
            sigemptyset(&block)
            sigaddset(&block, SIGTERM)
            var previous = sigset_t()
            try #require(pthread_sigmask(SIG_BLOCK, &block, &previous) == 0)
            let (rc, pid) = spawn(["/bin/sleep", "10"])
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            try #require(rc == 0)
            defer { stop(pid) }
            #expect(Glibc.kill(pid, SIGTERM) == 0)
            let status = reap(pid)
            #expect(status.signaled && status.signal == SIGTERM)
        }

        @Test func ignoredSignalIsDefaultAgainInProgram() throws {
            // exec(2) keeps an ignored signal ignored: only pc_spawn's reset undoes it.
            // The disposition is changed in an intermediate child, not in the test process.
            let pid = try forkChild {
                signal(SIGUSR1, SIG_IGN)
                let (rc, program) = spawn(["/bin/sh", "-c", "kill -USR1 $$; exit 0"])
                guard rc == 0 else { return 60 }
                var status = pc_exit_status()
                guard pc_wait(program, &status) == 0 else { return 61 }
                return status.signaled && status.signal == SIGUSR1 ? 0 : 62
            }
            defer { stop(pid) }
            let status = reap(pid)
            #expect(status.exited && status.code == 0, "62: the program still ignored SIGUSR1")
        }

        @Test func optionsInitMeansInherit() {
            var options = pc_spawn_options()
            options.stdin_fd = 5
            options.search_path = true
            pc_spawn_options_init(&options)
            #expect(options.stdin_fd == -1 && options.stdout_fd == -1 && options.stderr_fd == -1)
            #expect(options.working_directory == nil && options.environment == nil)
            #expect(!options.search_path)
        }
    }
}
