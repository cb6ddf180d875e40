import CProcShim
import ProcCore

#if canImport(Glibc)
import Glibc
#endif

/// One load run: starts the workers, gathers their records until every pipe is at end
/// of file (or the hard deadline passes and the workers are killed), and reports.
struct LoadRun {
    let plan: LoadPlan
    let tally: LoadTally
    /// Seconds from the moment the workers, all forked, are let go to the last worker's
    /// end of file.
    let elapsed: Double
    /// Connections that never ran because the deadline passed.
    var unfinished: Int { plan.connections - tally.finished }

    /// Runs `plan`. With `showingProgress`, a line on stderr counts the connections done.
    static func perform(_ plan: LoadPlan, showingProgress: Bool) throws(ProcessError) -> LoadRun {
        guard let address = ServerAddress(host: plan.host, port: plan.port) else {
            throw ProcessError(.invalidArgument, operation: NumericAddress.describe(host: plan.host, port: plan.port))
        }
        let softDeadline = pc_monotonic_ns() + Int64(plan.deadlineSeconds * 1e9)
        // A worker stops starting connections at the soft deadline; one still blocked
        // in a socket call ends within the socket timeout. After that it is killed.
        let hardDeadline = softDeadline + Int64(plan.socketTimeoutMilliseconds) * 1_000_000 + 2_000_000_000
        let counter = try SharedCounter()
        // The workers wait at this gate until every one is forked: the clock measures the
        // load, not the forks. Closing the write end opens it.
        var gate: [Int32] = [-1, -1]
        var rc = pc_pipe(&gate)
        if rc != 0 { throw .systemCall("pipe2", rc) }

        var workers: [ChildProcess] = []
        var readers: [RecordReader] = []
        defer {
            for descriptor in gate where descriptor >= 0 { _ = pc_close(descriptor) }
            for worker in workers {
                try? worker.kill()
                try? worker.join()
            }
            for reader in readers where reader.descriptor >= 0 { _ = pc_close(reader.descriptor) }
        }
        for index in 0..<plan.concurrency {
            var ends: [Int32] = [-1, -1]
            rc = pc_pipe(&ends)
            if rc != 0 { throw .systemCall("pipe2", rc) }
            // The other workers' pipes are not this worker's business.
            let inherited = readers.map(\.descriptor) + [ends[0], gate[1]]
            let worker = LoadWorker(
                plan: plan, address: address, index: index, counter: counter, results: ends[1], deadline: softDeadline
            )
            let child = ChildProcess(name: "load-worker-\(index + 1)") { [gate] in
                for descriptor in inherited { _ = pc_close(descriptor) }
                var byte: UInt8 = 0
                var count = 0
                _ = pc_read(gate[0], &byte, 1, &count)
                _ = pc_close(gate[0])
                try worker.run()
            }
            do {
                try child.start()
            } catch {
                _ = pc_close(ends[0])
                _ = pc_close(ends[1])
                throw error
            }
            _ = pc_close(ends[1])
            workers.append(child)
            readers.append(RecordReader(descriptor: ends[0]))
        }
        let started = pc_monotonic_ns()
        _ = pc_close(gate[1])
        _ = pc_close(gate[0])
        gate = [-1, -1]

        var tally = LoadTally(expecting: plan.connections)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        var lastProgress = started
        var finished = pc_monotonic_ns()
        while readers.contains(where: { $0.descriptor >= 0 }) {
            let now = pc_monotonic_ns()
            if now > hardDeadline { break }
            var polled = readers.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let wait = Int32(min(200, (hardDeadline - now) / 1_000_000 + 1))
            let ready = poll(&polled, nfds_t(polled.count), wait)
            if ready < 0 && errno != EINTR { throw .systemCall("poll", errno) }
            if ready > 0 {
                for index in polled.indices where polled[index].fd >= 0 && polled[index].revents != 0 {
                    readers[index].readAvailable(into: &tally, buffer: buffer)
                }
            }
            finished = pc_monotonic_ns()
            if showingProgress && finished - lastProgress > 200_000_000 {
                lastProgress = finished
                Self.showProgress(tally, of: plan, since: started)
            }
        }
        if showingProgress { Terminal.write(toStandardError: "\r\u{1B}[K") }
        for worker in workers {
            // Its pipe is at end of file, so a worker has ended or is about to; one still
            // blocked in a socket call past the hard deadline is killed.
            if try !worker.join(timeout: .milliseconds(hardDeadline > pc_monotonic_ns() ? 1000 : 0)) {
                try worker.kill()
                try worker.join()
            }
            if let code = worker.exitCode, code != 0 {
                Terminal.log("procctl: load: \(worker.name) ended with exit code \(code); "
                    + "connections it did not report count as unfinished")
            }
        }
        workers.removeAll()
        return LoadRun(plan: plan, tally: tally, elapsed: Double(finished - started) / 1e9)
    }

    private static func showProgress(_ tally: LoadTally, of plan: LoadPlan, since started: Int64) {
        let seconds = Double(pc_monotonic_ns() - started) / 1e9
        let line = "\r\u{1B}[Kload: \(tally.finished)/\(plan.connections) connections, "
            + "\(tally.failed) errors, \(seconds.formatted(decimals: 1)) s"
        Terminal.write(toStandardError: line)
    }
}
