import ArgumentParser
import ProcCore

/// The seed's first example: start children, join them all, report what became of each.
struct Spawn: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Start children that sleep, join them all and report each one's pid and exit code."
    )

    static let examples = [
        "procctl spawn                                # 4 children, each sleeping 3 s, joined together",
        "procctl spawn --count 8 --sleep 1 --json     # one JSON object with every child's pid and exit code",
        "procctl spawn --sleep 30 --terminate-after 2 # SIGTERM after 2 s: exit codes -15",
    ]

    @Option(parsing: .unconditional, help: "How many children to start.")
    var count = 4

    @Option(parsing: .unconditional, help: "Seconds each child sleeps between its two lines.")
    var sleep = 3.0

    @Option(help: "Name prefix: children are named PREFIX-1, PREFIX-2, ...")
    var name = "Process"

    @Option(name: .customLong("terminate-after"), parsing: .unconditional, help: "Terminate every child still alive after this many seconds.")
    var terminateAfter: Double?

    @Flag(help: "Print one JSON object at the end; the children's lines go to stderr.")
    var json = false

    func validate() throws {
        guard (1...4096).contains(count) else { throw ValidationError("--count must be between 1 and 4096 (got \(count)).") }
        guard sleep >= 0, sleep.isFinite else { throw ValidationError("--sleep must be a number of seconds, 0 or more (got \(sleep.asTyped)).") }
        if let terminateAfter, !(terminateAfter >= 0 && terminateAfter.isFinite) {
            throw ValidationError("--terminate-after must be a number of seconds, 0 or more (got \(terminateAfter.asTyped)).")
        }
    }

    func run() throws {
        let started = Terminal.now()
        let toStderr = json
        let children = (1...count).map { index in
            let childName = "\(name)-\(index)"
            return ChildProcess(name: childName) { [sleep] in
                Terminal.say("\(childName) is running", toStandardError: toStderr)
                Terminal.sleep(seconds: sleep)
                Terminal.say("\(childName) is done", toStandardError: toStderr)
            }
        }
        do {
            for child in children { try child.start() }
            if let terminateAfter { try terminateStragglers(children, after: terminateAfter, startedAt: started) }
            for child in children { try child.join() }
        } catch {
            for child in children where child.pid != nil { try? child.kill(); try? child.join() }
            throw Terminal.fail("spawn: \(error)")
        }
        let elapsed = Terminal.now() - started
        if json {
            let report: JSONValue = .object([
                ("elapsed_s", .double(elapsed, decimals: 3)),
                ("children", .array(children.map(Self.json))),
            ])
            Terminal.say(report.text)
        } else {
            for child in children {
                Terminal.say("\(child.name) pid=\(child.pid ?? 0) exitcode=\(child.exitCode.map(String.init) ?? "None")")
            }
            Terminal.say("elapsed \(elapsed.formatted(decimals: 2)) s")
        }
    }

    /// Waits until `seconds` after the start, then terminates each child still alive,
    /// showing whether it was alive before and after.
    private func terminateStragglers(_ children: [ChildProcess], after seconds: Double, startedAt: Double) throws {
        for child in children {
            let left = max(0, startedAt + seconds - Terminal.now())
            try child.join(timeout: .milliseconds(Int64(left * 1000)))
        }
        for child in children where try child.isAlive {
            try child.terminate()
            try child.join(timeout: .seconds(5))
            let after = try child.isAlive
            Terminal.say("terminated \(child.name): alive before=true after=\(after)", toStandardError: json)
        }
    }

    private static func json(for child: ChildProcess) -> JSONValue {
        let exitCode: JSONValue = child.exitCode.map { .int(Int($0)) } ?? .null
        let alive = (try? child.isAlive) ?? false
        return .object([
            ("name", .string(child.name)),
            ("pid", .int(Int(child.pid ?? 0))),
            ("exitcode", exitCode),
            ("alive", .bool(alive)),
        ])
    }
}
