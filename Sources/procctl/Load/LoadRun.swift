import ProcCore
import SystemPackage

import Glibc  // clock_gettime(CLOCK_REALTIME)

/// One load run: starts the workers, gathers their records until every pipe is at end
/// of file (or the hard deadline passes and the workers are killed), and reports.
struct LoadRun {
    let plan: LoadPlan
    let tally: LoadTally
    /// Seconds from the moment the workers, all forked, are let go to the last worker's
    /// end of file.
    let elapsed: Double
    /// The wall-clock time at which the workers were let go, in seconds since 1970 (UTC):
    /// the timeline's second 0, to be set beside the clocks of other programs' logs.
    let startedAtUnixSeconds: Double
    /// Connections that never ran because the deadline passed (none in a timed run, which
    /// has no number of connections to reach).
    var unfinished: Int { plan.connections.map { $0 - tally.finished } ?? 0 }

    /// Runs `plan`. With `showingProgress`, a line on stderr counts the connections done.
    static func perform(_ plan: LoadPlan, showingProgress: Bool) throws(ProcessError) -> LoadRun {
        let softDeadline = MonotonicClock.nanoseconds() + Int64(plan.deadlineSeconds * 1e9)
        // A worker stops starting connections at the soft deadline; one still blocked
        // in a socket call ends within the socket timeout. After that it is killed.
        let hardDeadline = softDeadline + Int64(plan.socketTimeoutMilliseconds) * 1_000_000 + 2_000_000_000
        // The next connection number, shared by the workers: a slow worker never leaves the
        // others idle at the end of a run.
        let counter = try SharedValue(0)
        // The workers wait at this gate until every one is forked: the clock measures the
        // load, not the forks.
        let gate = try ProcessEvent()

        var workers: [ChildProcess] = []
        var readers: [RecordReader] = []
        defer {
            for worker in workers {
                try? worker.kill()
                try? worker.join()
            }
            for reader in readers { reader.descriptor?.closeQuietly() }
        }
        for index in 0..<plan.concurrency {
            let ends = try FileDescriptor.closeOnExecPipe()
            // The other workers' pipes are not this worker's business.
            let inherited = readers.compactMap(\.descriptor) + [ends.readEnd]
            let worker = LoadWorker(
                plan: plan, index: index, counter: counter, results: ends.writeEnd, deadline: softDeadline
            )
            let child = ChildProcess(name: "load-worker-\(index + 1)") {
                for descriptor in inherited { descriptor.closeQuietly() }
                // Bounded, so that a worker whose parent died before opening the gate ends:
                // past the soft deadline it starts no connection.
                _ = try gate.wait(timeout: .nanoseconds(softDeadline - MonotonicClock.nanoseconds()))
                try worker.run()
            }
            do {
                try child.start()
            } catch {
                ends.readEnd.closeQuietly()
                ends.writeEnd.closeQuietly()
                throw error
            }
            ends.writeEnd.closeQuietly()
            workers.append(child)
            readers.append(RecordReader(descriptor: ends.readEnd))
        }
        var wallClock = timespec()
        clock_gettime(CLOCK_REALTIME, &wallClock)
        let started = MonotonicClock.nanoseconds()
        try gate.set()

        var tally = LoadTally(origin: started, expecting: plan.connections)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        var lastProgress = started
        var finished = MonotonicClock.nanoseconds()
        while readers.contains(where: { $0.descriptor != nil }) {
            let now = MonotonicClock.nanoseconds()
            if now > hardDeadline { break }
            let wait = Duration.milliseconds(min(200, (hardDeadline - now) / 1_000_000 + 1))
            let ready = try Poll.waitForInput(on: readers.map { $0.descriptor?.rawValue ?? -1 }, timeout: wait)
            for index in ready.indices where ready[index] {
                readers[index].readAvailable(into: &tally, buffer: buffer)
            }
            finished = MonotonicClock.nanoseconds()
            if showingProgress && finished - lastProgress > 200_000_000 {
                lastProgress = finished
                Self.showProgress(tally, of: plan, since: started)
            }
        }
        if showingProgress { Terminal.write(toStandardError: "\r\u{1B}[K") }
        for worker in workers {
            // Its pipe is at end of file, so a worker has ended or is about to; one still
            // blocked in a socket call past the hard deadline is killed.
            if try !worker.join(timeout: .milliseconds(hardDeadline > MonotonicClock.nanoseconds() ? 1000 : 0)) {
                try worker.kill()
                try worker.join()
            }
            if let code = worker.exitCode, code != 0 {
                Terminal.log("procctl: load: \(worker.name) ended with exit code \(code); "
                    + "connections it did not report count as unfinished")
            }
        }
        workers.removeAll()
        return LoadRun(
            plan: plan, tally: tally, elapsed: Double(finished - started) / 1e9,
            startedAtUnixSeconds: Double(wallClock.tv_sec) + Double(wallClock.tv_nsec) / 1e9
        )
    }

    private static func showProgress(_ tally: LoadTally, of plan: LoadPlan, since started: Int64) {
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        let target = plan.connections.map { "/\($0)" } ?? ""
        let line = "\r\u{1B}[Kload: \(tally.finished)\(target) connections, "
            + "\(tally.failed) errors, \(seconds.formatted(decimals: 1)) s"
        Terminal.write(toStandardError: line)
    }
}
