import ArgumentParser
import ProcCore
import SystemPackage

/// The global that the seed's isolation example changes in the child only.
nonisolated(unsafe) private var globalValue = 100

/// The seed's memory-isolation exercise: a child changes a global, the parent's stays;
/// with `--shared`, the other side of it: a value in shared memory, which the parent sees change.
struct Isolation: CommandWithExamples {
    static let configuration = CommandConfiguration(
        abstract: "Show that a child's memory is its own: it sets a global to 0, the parent's keeps its value.",
        discussion: "With --shared, n lives in shared memory (a SharedValue) instead: the parent then reads the child's 0."
    )

    static let examples = [
        "procctl isolation                    # child: n = 0, parent: n = 100",
        "procctl isolation --shared           # a SharedValue: the parent reads the child's 0",
        "procctl isolation --value 7 --json   # {\"child\": 0, \"parent\": 7}",
    ]

    @Option(parsing: .unconditional, help: "The global's value before the child starts.")
    var value = 100

    @Flag(help: "Print {\"child\": ..., \"parent\": ...} as JSON; the child's value comes from the child.")
    var json = false

    @Flag(help: "Keep n in memory shared with the child (a SharedValue) instead of a global.")
    var shared = false

    func run() throws {
        globalValue = value
        let report = json
        do {
            let sharedValue = shared ? try SharedValue(value) : nil
            let (readEnd, writeEnd) = try FileDescriptor.closeOnExecPipe()
            let child = ChildProcess(name: "isolation") {
                if let sharedValue { try sharedValue.store(0) } else { globalValue = 0 }
                let childValue = try sharedValue?.load() ?? globalValue
                if !report { Terminal.say("child: n = \(childValue)") }
                try writeEnd.writeAll(String(childValue).utf8)
            }
            try child.start()
            try writeEnd.close()
            let childText = try readEnd.readToEnd()
            try readEnd.close()
            try child.join()
            guard child.exitCode == 0, let childValue = Int(childText) else {
                throw Terminal.fail("isolation: the child failed (exit code \(child.exitCode ?? -1))")
            }
            let parentValue = try sharedValue?.load() ?? globalValue
            if report {
                Terminal.say(JSONValue.object([("child", .int(childValue)), ("parent", .int(parentValue))]).text)
            } else {
                Terminal.say("parent: n = \(parentValue)")
            }
        } catch let error as ProcessError {
            throw Terminal.fail("isolation: \(error)")
        } catch let error as Errno {
            throw Terminal.fail("isolation: \(error)")
        }
    }
}
