import Testing

@Suite("procctl pool")
struct PoolCommandTests {
    /// The primes below 2 + tasks * span, counted by a sieve here: what both runs must find.
    private static func primes(below limit: Int) -> Int {
        var composite = [Bool](repeating: false, count: limit)
        var count = 0
        for n in 2..<limit where !composite[n] {
            count += 1
            var multiple = n * n
            while multiple < limit {
                composite[multiple] = true
                multiple += n
            }
        }
        return count
    }

    @Test("--json reports workers, tasks, both times, the speedup and the agreed result")
    func jsonReport() throws {
        let result = try Procctl.run(["pool", "--workers", "2", "--tasks", "6", "--span", "5000", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try JSONReport.object(result.standardOutput)
        #expect(report["workers"] as? Int == 2)
        #expect(report["tasks"] as? Int == 6)
        #expect(report["result"] as? Int == Self.primes(below: 2 + 6 * 5000))
        let sequential = try #require(JSONReport.number(report["sequential_s"]))
        let pooled = try #require(JSONReport.number(report["pool_s"]))
        let speedup = try #require(JSONReport.number(report["speedup"]))
        #expect(sequential > 0 && pooled > 0)
        // The JSON rounds both times to 0.1 ms, which is several percent of a run of a few
        // milliseconds, and the speedup to 0.001.
        let rounding = speedup * (0.00005 / sequential + 0.00005 / pooled) * 1.01 + 0.0005
        #expect(abs(speedup - sequential / pooled) <= rounding + 0.002)
    }

    @Test("the lines name both times, the speedup and the result")
    func textReport() throws {
        let result = try Procctl.run(["pool", "--workers", "3", "--tasks", "4", "--span", "2000"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.outputLines.first == "pool: primes in 4 ranges of 2000 numbers, 3 workers")
        #expect(result.outputLines.contains { $0.hasPrefix("sequential ") && $0.hasSuffix(" s") })
        #expect(result.outputLines.contains { $0.hasPrefix("pool ") && $0.hasSuffix(" s") })
        #expect(result.outputLines.contains { $0.hasPrefix("speedup ") && $0.hasSuffix("x") })
        #expect(result.outputLines.contains("result      \(Self.primes(below: 2 + 4 * 2000)) primes (sequential and pool agree)"))
    }

    @Test("bad arguments get one line and a non-zero exit", arguments: [
        ["pool", "--workers", "0"], ["pool", "--tasks", "-1"], ["pool", "--span", "x"],
    ])
    func badArguments(arguments: [String]) throws {
        let result = try Procctl.run(arguments)
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("Error:"))
    }
}

@Suite("procctl bench pool")
struct BenchPoolCommandTests {
    @Test("--json has the per-task costs and both start+join times")
    func jsonReport() throws {
        let result = try Procctl.run(["bench", "pool", "--tasks", "200", "--rounds", "1", "--children", "20", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try JSONReport.object(result.standardOutput)
        #expect(report["tasks"] as? Int == 200)
        let perTask = try #require(report["per_task_us"] as? [String: Any])
        #expect(Set(perTask.keys) == ["map_chunk1", "map_default", "apply_async"])
        for key in ["map_chunk1", "map_default", "apply_async"] {
            #expect((JSONReport.number(perTask[key]) ?? 0) > 0, "\(key)")
        }
        #expect((JSONReport.number(report["forkserver_start_join_us"]) ?? 0) > 0)
        #expect((JSONReport.number(report["fork_start_join_us"]) ?? 0) > 0)
    }

    @Test("the table names every measurement")
    func table() throws {
        let result = try Procctl.run(["bench", "pool", "--tasks", "100", "--rounds", "1", "--children", "10"])
        #expect(result.status == 0, "\(result.standardError)")
        for prefix in ["map, chunk size 1", "map, default chunking", "applyAsync + get", "fork server start+join", "ChildProcess fork start+join"] {
            #expect(result.outputLines.contains { $0.hasPrefix(prefix) }, "\(prefix)")
        }
    }
}
