import ArgumentParser
import CProcShim
import ProcCore

/// `procctl bench spawn`: what one child life cycle costs through ProcCore, beside the
/// same loop done with the raw calls in this same binary.
struct BenchSpawn: CommandWithExamples {
    static let configuration = CommandConfiguration(
        commandName: "spawn",
        abstract: "Time child life cycles: ChildProcess beside pc_fork/fork and pc_spawn/posix_spawn.",
        discussion: """
            fork: a child whose closure does nothing, started and joined. exec: /bin/true. \
            Each method is timed three ways, interleaved child by child so that drift on a \
            shared machine touches them alike: ChildProcess, the shim's call, and libc's \
            call made from Swift. The ratios compare medians from this one run.
            """
    )

    static let examples = [
        "procctl bench spawn                       # fork and exec, beside the raw calls",
        "procctl bench spawn --method fork --iterations 5000",
        "procctl bench spawn --json                # one JSON object",
    ]

    @Option(parsing: .unconditional, help: "Children per variant (after a short warm-up).")
    var iterations = 2000

    @Option(help: "fork or exec; both when omitted.")
    var method: SpawnMethod?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    /// For profiling one variant alone (perf, strace): its label, as in the JSON.
    @Option(help: ArgumentHelp("Time only the variant with this label (for profilers).", visibility: .hidden))
    var only: String?

    func validate() throws {
        guard (1...1_000_000).contains(iterations) else { throw ValidationError("--iterations must be between 1 and 1000000 (got \(iterations)).") }
    }

    func run() throws {
        let methods = method.map { [$0] } ?? SpawnMethod.allCases
        if let only, !methods.contains(where: { $0.variants.contains { $0.label == only } }) {
            throw Terminal.fail("bench spawn: no variant is labelled '\(only)'")
        }
        let arguments = CStringArray([SpawnVariant.program])
        var results: [(SpawnMethod, [(SpawnVariant, SampleSummary)])] = []
        do {
            for method in methods {
                let variants = method.variants.filter { only == nil || $0.label == only }
                if variants.isEmpty { continue }
                results.append((method, try Self.measure(variants, iterations: iterations, arguments: arguments)))
            }
        } catch {
            throw Terminal.fail("bench spawn: \(error)")
        }
        if json {
            Terminal.say(Self.json(results, iterations: iterations).text)
        } else {
            for line in Self.table(results, iterations: iterations) { Terminal.say(line) }
        }
    }

    /// Times `variants` round-robin, one child of each in turn, and summarises each in µs.
    private static func measure(
        _ variants: [SpawnVariant], iterations: Int, arguments: CStringArray
    ) throws -> [(SpawnVariant, SampleSummary)] {
        let warmUp = min(50, max(1, iterations / 20))
        for _ in 0..<warmUp {
            for variant in variants { _ = try variant.timeOneChild(arguments: arguments) }
        }
        var samples = variants.map { _ in [Double]() }
        for index in samples.indices { samples[index].reserveCapacity(iterations) }
        for _ in 0..<iterations {
            for (index, variant) in variants.enumerated() {
                samples[index].append(Double(try variant.timeOneChild(arguments: arguments)) / 1000)
            }
        }
        return zip(variants, samples).map { ($0, SampleSummary($1)!) }
    }

    private static func json(_ results: [(SpawnMethod, [(SpawnVariant, SampleSummary)])], iterations: Int) -> JSONValue {
        func us(_ value: Double) -> JSONValue { .double(value, decimals: 1) }
        return .object([
            ("iterations", .int(iterations)),
            ("methods", .object(results.map { method, variants in
                let base = variants[0].1.median
                var members: [(String, JSONValue)] = variants.map { variant, summary in
                    (variant.label, .object([
                        ("what", .string(variant.summary)),
                        ("median_us", us(summary.median)),
                        ("p10_us", us(summary.p10)),
                        ("p90_us", us(summary.p90)),
                        ("mean_us", us(summary.mean)),
                        ("min_us", us(summary.minimum)),
                        ("max_us", us(summary.maximum)),
                    ]))
                }
                for (variant, summary) in variants.dropFirst() {
                    members.append(("ratio_childprocess_to_\(variant.label)", .double(base / summary.median, decimals: 3)))
                }
                return (method.rawValue, .object(members))
            })),
        ])
    }

    private static func table(_ results: [(SpawnMethod, [(SpawnVariant, SampleSummary)])], iterations: Int) -> [String] {
        var lines = ["bench spawn: \(iterations) children per variant, interleaved; times in µs per child"]
        for (method, variants) in results {
            let base = variants[0].1.median
            lines.append("")
            lines.append(pad("\(method.rawValue)", 50) + pad("median", 9) + pad("p10", 9) + pad("p90", 9) + "ChildProcess / this")
            for (variant, summary) in variants {
                let ratio = variant == variants[0].0 ? "" : (base / summary.median).formatted(decimals: 2) + "x"
                lines.append(pad("  " + variant.summary, 50) + pad(summary.median.formatted(decimals: 1), 9)
                    + pad(summary.p10.formatted(decimals: 1), 9) + pad(summary.p90.formatted(decimals: 1), 9) + ratio)
            }
        }
        return lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
