import ProcTestSupport
import Testing

/// One scrape of a `/metrics` endpoint by a real HTTP client: Python's urllib, parsing
/// with `prometheus_client` when asked (where it is installed).
struct MetricsScrape {
    /// Whether python3 is in PATH.
    static var clientAvailable: Bool { SeedPrograms.python3 != nil }
    /// Why the scraping tests are skipped where they are.
    static let clientSkipReason: Comment = "needs python3 in PATH (its urllib is the HTTP client)"

    /// Whether `prometheus_client` imports in that python3.
    static let parserAvailable: Bool = {
        guard let python = SeedPrograms.python3, let run = try? LaunchedProgram(python, ["-c", "import prometheus_client"]) else { return false }
        defer { run.stop() }
        return run.exitCode(timeout: 30) == 0
    }()
    static let parserSkipReason: Comment = "needs Python's prometheus_client (pip install prometheus_client)"

    /// Fetches the URL; prints the Content-Type, then one `name{label="value",...} value`
    /// line per sample: as prometheus_client parses it, or, without it, the body's
    /// sample lines as they are.
    private static let script = """
        import sys, urllib.request
        with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
            print(response.headers.get("Content-Type"))
            body = response.read().decode()
        if sys.argv[2] == "parse":
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(body):
                for sample in family.samples:
                    labels = ",".join('%s="%s"' % item for item in sorted(sample.labels.items()))
                    print("%s %s%s %s" % (family.type, sample.name, "{%s}" % labels if labels else "", repr(float(sample.value))))
        else:
            for line in body.splitlines():
                if line and not line.startswith("#"):
                    print("untyped " + line)
        """

    let contentType: String
    /// Sample (`name{labels}`) to value.
    let samples: [String: Double]
    /// Sample to the type of its family ("counter", "gauge"), as the parser gives it.
    let types: [String: String]

    /// Scrapes `url`; with `parse`, through prometheus_client's parser.
    init(_ url: String, parse: Bool = false) throws {
        guard let python = SeedPrograms.python3 else { throw HarnessError("no python3") }
        let run = try LaunchedProgram(python, ["-c", Self.script, url, parse ? "parse" : "raw"])
        defer { run.stop() }
        let output = String(decoding: run.readStandardOutput(timeout: 20), as: UTF8.self)
        guard run.exitCode(timeout: 10) == 0 else { throw HarnessError("scrape of \(url) failed: \(run.standardError())") }
        var lines = output.split(separator: "\n")
        guard !lines.isEmpty else { throw HarnessError("empty scrape") }
        contentType = String(lines.removeFirst())
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let value = Double(parts[2]) else { throw HarnessError("unexpected sample line: \(line)") }
            samples[String(parts[1])] = value
            types[String(parts[1])] = String(parts[0])
        }
        self.samples = samples
        self.types = types
    }

    /// Scrapes `url` until `done` holds for a scrape (at most `timeout` seconds); the last one.
    static func waitFor(_ url: String, timeout: Double = 10, _ done: (MetricsScrape) -> Bool) throws -> MetricsScrape {
        var last = try MetricsScrape(url)
        // Each scrape starts a python3: look a few times a second, not more.
        _ = TestClock.waitUntil(timeout: timeout, interval: 0.25) {
            if done(last) { return true }
            if let next = try? MetricsScrape(url) { last = next }
            return done(last)
        }
        return last
    }

    subscript(_ sample: String) -> Double? { samples[sample] }
}
