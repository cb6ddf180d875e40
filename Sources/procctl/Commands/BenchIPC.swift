import SystemPackage
import ArgumentParser
import CProcShim
import ProcCore

/// `procctl bench ipc`: what a message between a parent and a forked child costs through
/// ProcCore (Connection, ProcessQueue, a locked SharedValue), beside raw pipes and
/// socketpairs in this same binary.
struct BenchIPC: CommandWithExamples {
    static let configuration = CommandConfiguration(
        commandName: "ipc",
        abstract: "Time IPC round trips, throughput and locks: ProcCore beside raw pipes and socketpairs.",
        discussion: """
            A round trip is a 64-byte message to a forked child and back; throughput is one \
            way, 64 KiB messages; a lock sample is a SharedValue.withLock increment, alone and \
            with two processes at once. The round-trip and throughput children live for the \
            whole run, and their operations are interleaved one round trip (or batch) of each \
            variant at a time, so that drift on a shared machine touches them alike. Each \
            round gives one median per variant; the figures are medians over the rounds.
            """
    )

    static let examples = [
        "procctl bench ipc                                # 20 rounds, the table",
        "procctl bench ipc --rounds 5 --round-trips 200   # a shorter run",
        "procctl bench ipc --json                         # one JSON object",
        "procctl bench ipc --same-cpu                     # every process on one CPU",
    ]

    @Option(parsing: .unconditional, help: "Rounds: each interleaves every variant, and yields one median for each.")
    var rounds = 20

    @Option(parsing: .unconditional, help: "Round trips per variant and round, one of each variant in turn, each timed.")
    var roundTrips = 500

    @Option(parsing: .unconditional, help: "Batches of 16 64-KiB messages per throughput variant and round, one of each in turn.")
    var batches = 64

    @Option(parsing: .unconditional, help: "Increments per process, per lock variant and round.")
    var increments = 20_000

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Flag(name: .customLong("same-cpu"), help: ArgumentHelp(
        "Run the parent and every child on the CPU the run starts on.",
        discussion: "A round trip then costs what its code and system calls cost, without the wake-up of an idle CPU, which on a virtual machine takes as long as a round trip and varies with how long the CPU slept."))
    var sameCPU = false

    /// Messages per timed throughput batch.
    private static let batchSize = 16

    func validate() throws {
        guard (1...10_000).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 10000 (got \(rounds)).") }
        for (name, value) in [("--round-trips", roundTrips), ("--batches", batches), ("--increments", increments)] {
            guard (1...10_000_000).contains(value) else { throw ValidationError("\(name) must be between 1 and 10000000 (got \(value)).") }
        }
    }

    func run() throws {
        // Per variant, one figure per round: the median of that round's samples.
        var roundTrip = RoundTripVariant.allCases.map { _ in [Double]() }
        // Per variant, one figure per round: the parent's and the child's CPU per round trip.
        var roundTripCPU = RoundTripVariant.allCases.map { _ in [Double]() }
        var throughput = ThroughputVariant.allCases.map { _ in [Double]() }
        var lock = LockVariant.allCases.map { _ in [Double]() }
        var cpu: Int32 = -1
        if sameCPU {
            let result = pc_stay_on_current_cpu(&cpu)
            guard result == 0 else { throw Terminal.fail("bench ipc: cannot keep to one CPU: \(Errno(rawValue: result))") }
        }
        do {
            let pingers = try RoundTripVariant.allCases.map { try $0.start(total: RoundTripVariant.warmUp + rounds * roundTrips) }
            let streamers = try ThroughputVariant.allCases.map { try $0.start(total: Self.batchSize * (1 + rounds * batches)) }
            for session in pingers { _ = try session.time(RoundTripVariant.warmUp) }
            for session in streamers { _ = try session.time(Self.batchSize) }
            for round in 1...rounds {
                if FileDescriptor.standardError.isTerminal { Terminal.log("bench ipc: round \(round)/\(rounds)") }
                // One operation of each variant in turn, so that what the machine does
                // meanwhile touches them alike; a preempted sample is an outlier the median drops.
                var samples = pingers.map { _ in [Double]() }
                let cpuBefore = pingers.map { $0.cpuNanoseconds() }
                for _ in 0..<roundTrips {
                    for (index, session) in pingers.enumerated() { samples[index].append(Double(try session.time(1)) / 1000) }
                }
                for index in samples.indices { roundTrip[index].append(SampleSummary(samples[index])!.median) }
                for (index, session) in pingers.enumerated() {
                    guard let before = cpuBefore[index], let after = session.cpuNanoseconds() else { continue }
                    roundTripCPU[index].append(Double(after - before) / Double(roundTrips) / 1000)
                }
                var rates = streamers.map { _ in [Double]() }
                for _ in 0..<batches {
                    for (index, session) in streamers.enumerated() {
                        let nanoseconds = try session.time(Self.batchSize)
                        rates[index].append(Double(Self.batchSize * ThroughputVariant.messageSize) / Double(nanoseconds) * 1000)
                    }
                }
                for index in rates.indices { throughput[index].append(SampleSummary(rates[index])!.median) }
                for (index, variant) in LockVariant.allCases.enumerated() {
                    lock[index].append(try variant.measure(count: increments))
                }
            }
            for session in pingers + streamers { try session.finish() }
        } catch {
            throw Terminal.fail("bench ipc: \(error)")
        }
        let medians = (
            roundTrip: zip(RoundTripVariant.allCases, roundTrip).map { ($0, SampleSummary($1)!) },
            throughput: zip(ThroughputVariant.allCases, throughput).map { ($0, SampleSummary($1)!) },
            lock: zip(LockVariant.allCases, lock).map { ($0, SampleSummary($1)!) }
        )
        // The typed message beside its bytes: the median of the ratios within each round.
        let codable = RoundTripVariant.allCases.firstIndex(of: .connectionCodable)!
        let bytes = RoundTripVariant.allCases.firstIndex(of: .connectionBytes)!
        let typedOverBytes = SampleSummary(zip(roundTrip[codable], roundTrip[bytes]).map { $0 / $1 })?.median ?? .nan
        // The same in CPU time, which idle states and wake-ups do not stretch: what the
        // encoding and decoding cost beside the system calls.
        let cpuMedians = zip(RoundTripVariant.allCases, roundTripCPU).compactMap { variant, figures in SampleSummary(figures).map { (variant, $0) } }
        let typedOverBytesCPU = SampleSummary(zip(roundTripCPU[codable], roundTripCPU[bytes]).map { $0 / $1 })?.median ?? .nan
        if json {
            func object(_ rows: [(String, SampleSummary)]) -> JSONValue {
                .object(rows.map { ($0.0, .double($0.1.median, decimals: 2)) })
            }
            Terminal.say(JSONValue.object([
                ("rounds", .int(rounds)),
                ("same_cpu", sameCPU ? .int(Int(cpu)) : .null),
                ("round_trip_us", object(medians.roundTrip.filter { $0.0.isInJSON }.map { ($0.0.label, $0.1) })),
                ("typed_over_bytes", .double(typedOverBytes, decimals: 2)),
                ("round_trip_cpu_us", object(cpuMedians.filter { $0.0.isInJSON }.map { ($0.0.label, $0.1) })),
                ("typed_over_bytes_cpu", .double(typedOverBytesCPU, decimals: 2)),
                ("lock_us", object(medians.lock.map { ($0.0.label, $0.1) })),
                ("throughput_mb_s", object(medians.throughput.map { ($0.0.label, $0.1) })),
            ]).text)
            return
        }
        // A ratio is the median of the ratios within each round: neighbours in time.
        func ratio(_ figures: [[Double]], _ index: Int) -> String {
            let ratios = zip(figures[index], figures[0]).map { $0 / $1 }
            return (SampleSummary(ratios)?.median ?? .nan).formatted(decimals: 2) + "x"
        }
        Terminal.say("bench ipc: \(rounds) rounds; per round, each variant's median; below, the median of those (p10-p90)")
        Terminal.say("and the median of the ratios within each round" + (sameCPU ? "; every process on CPU \(cpu)" : ""))
        Terminal.say("")
        Terminal.say(pad("round trip, 64 B, to a child and back (\(roundTrips)/round)", 52) + pad("µs", 9) + pad("p10-p90", 16) + "/ raw pipe")
        for (index, (variant, summary)) in medians.roundTrip.enumerated() {
            Terminal.say(row(variant.summary, summary, decimals: 1) + ratio(roundTrip, index))
        }
        Terminal.say(pad("  Codable round trip / its bytes' round trip", 77) + typedOverBytes.formatted(decimals: 2) + "x")
        Terminal.say("")
        if cpuMedians.count == RoundTripVariant.allCases.count {
            Terminal.say(pad("CPU per round trip, parent and child", 52) + pad("µs", 9) + pad("p10-p90", 16) + "/ raw pipe")
            for (index, (variant, summary)) in cpuMedians.enumerated() {
                Terminal.say(row(variant.summary, summary, decimals: 1) + ratio(roundTripCPU, index))
            }
            Terminal.say(pad("  Codable round trip / its bytes' round trip, CPU", 77) + typedOverBytesCPU.formatted(decimals: 2) + "x")
            Terminal.say("")
        }
        Terminal.say(pad("one way, 64 KiB messages (\(batches) x \(Self.batchSize)/round)", 52) + pad("MB/s", 9) + pad("p10-p90", 16) + "/ raw socketpair")
        for (index, (variant, summary)) in medians.throughput.enumerated() {
            Terminal.say(row(variant.summary, summary, decimals: 0) + ratio(throughput, index))
        }
        Terminal.say("")
        Terminal.say(pad("locked increment (\(increments) per process per round)", 52) + pad("µs", 9) + "p10-p90")
        for (variant, summary) in medians.lock {
            Terminal.say(row(variant.summary, summary, decimals: 3))
        }
    }

    private func row(_ title: String, _ summary: SampleSummary, decimals: Int) -> String {
        pad("  " + title, 52) + pad(summary.median.formatted(decimals: decimals), 9)
            + pad(summary.p10.formatted(decimals: decimals) + "-" + summary.p90.formatted(decimals: decimals), 16)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
