import ArgumentParser
import ProcCore

/// `procctl bench ipc`: what a message between a parent and a forked child costs through
/// ProcCore (Connection, ProcessQueue, a locked SharedValue), beside raw pipes and
/// socketpairs in this same binary.
struct BenchIPC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipc",
        abstract: "Time IPC round trips, throughput and locks: ProcCore beside raw pipes and socketpairs.",
        discussion: """
            A round trip is a 64-byte message to a forked child and back; throughput is one \
            way, 64 KiB messages; a lock sample is a SharedValue.withLock increment, alone and \
            with two processes at once. Each round runs every variant once, in turn (the \
            round-trip children live for the whole run; a throughput or lock measurement has \
            fresh ones), so that drift on a shared machine touches them alike; the figures \
            are medians over the rounds.
            """
    )

    @Option(help: "Rounds (each runs every variant once).")
    var rounds = 40

    @Option(help: "Timed round trips per variant and round.")
    var roundTrips = 250

    @Option(help: "64 KiB messages per throughput variant and round.")
    var messages = 1000

    @Option(help: "Increments per process, per lock variant and round.")
    var increments = 50_000

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 10000.") }
        for (name, value) in [("--round-trips", roundTrips), ("--messages", messages), ("--increments", increments)] {
            guard (1...100_000_000).contains(value) else { throw ValidationError("\(name) must be between 1 and 100000000.") }
        }
    }

    func run() throws {
        var roundTrip = RoundTripVariant.allCases.map { _ in [Double]() }
        var throughput = ThroughputVariant.allCases.map { _ in [Double]() }
        var lock = LockVariant.allCases.map { _ in [Double]() }
        do {
            let sessions = try RoundTripVariant.allCases.map { try $0.start(total: RoundTripVariant.warmUp + rounds * roundTrips) }
            for session in sessions { _ = try session.time(RoundTripVariant.warmUp) }
            for round in 1...rounds {
                if Terminal.isTerminal(2) { Terminal.log("bench ipc: round \(round)/\(rounds)") }
                for (index, session) in sessions.enumerated() {
                    roundTrip[index].append(try session.time(roundTrips))
                }
                for (index, variant) in ThroughputVariant.allCases.enumerated() {
                    throughput[index].append(try variant.measure(count: messages))
                }
                for (index, variant) in LockVariant.allCases.enumerated() {
                    lock[index].append(try variant.measure(count: increments))
                }
            }
            for session in sessions { try session.finish() }
        } catch {
            throw Terminal.fail("bench ipc: \(error)")
        }
        let medians = (
            roundTrip: zip(RoundTripVariant.allCases, roundTrip).map { ($0, SampleSummary($1)!) },
            throughput: zip(ThroughputVariant.allCases, throughput).map { ($0, SampleSummary($1)!) },
            lock: zip(LockVariant.allCases, lock).map { ($0, SampleSummary($1)!) }
        )
        if json {
            func object(_ rows: [(String, SampleSummary)]) -> JSONValue {
                .object(rows.map { ($0.0, .double($0.1.median, decimals: 2)) })
            }
            Terminal.say(JSONValue.object([
                ("rounds", .int(rounds)),
                ("round_trip_us", object(medians.roundTrip.map { ($0.0.label, $0.1) })),
                ("lock_us", object(medians.lock.map { ($0.0.label, $0.1) })),
                ("throughput_mb_s", object(medians.throughput.map { ($0.0.label, $0.1) })),
            ]).text)
            return
        }
        // A ratio is the median of the ratios within each round: neighbours in time.
        func ratio(_ samples: [[Double]], _ index: Int) -> String {
            let ratios = zip(samples[index], samples[0]).map { $0 / $1 }
            return (SampleSummary(ratios)?.median ?? .nan).formatted(decimals: 2) + "x"
        }
        Terminal.say("bench ipc: \(rounds) rounds, medians (p10-p90 over the rounds); ratios: medians of the ratios within each round")
        Terminal.say("")
        Terminal.say(pad("round trip, 64 B, to a child and back (\(roundTrips) per round)", 52) + pad("µs", 9) + pad("p10-p90", 16) + "/ raw pipe")
        for (index, (variant, summary)) in medians.roundTrip.enumerated() {
            Terminal.say(row(variant.summary, summary, decimals: 1) + ratio(roundTrip, index))
        }
        Terminal.say("")
        Terminal.say(pad("one way, 64 KiB messages (\(messages) per round)", 52) + pad("MB/s", 9) + pad("p10-p90", 16) + "/ raw socketpair")
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
