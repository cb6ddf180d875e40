import ArgumentParser
import ProcCore
import SystemPackage

/// The global that the seed's isolation example changes in the child only.
nonisolated(unsafe) private var globalValue = 100

/// The seed's memory-isolation exercise: a child changes a global, the parent's stays.
struct Isolation: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show that a child's memory is its own: it sets a global to 0, the parent's keeps its value."
    )

    @Option(help: "The global's value before the child starts.")
    var value = 100

    @Flag(help: "Print {\"child\": ..., \"parent\": ...} as JSON; the child's value comes from the child.")
    var json = false

    func run() throws {
        globalValue = value
        let report = json
        do {
            let (readEnd, writeEnd) = try FileDescriptor.closeOnExecPipe()
            let child = ChildProcess(name: "isolation") {
                globalValue = 0
                if !report { Terminal.say("child: n = \(globalValue)") }
                try writeEnd.writeAll(String(globalValue).utf8)
            }
            try child.start()
            try writeEnd.close()
            let childText = try readEnd.readToEnd()
            try readEnd.close()
            try child.join()
            guard child.exitCode == 0, let childValue = Int(childText) else {
                throw Terminal.fail("isolation: the child failed (exit code \(child.exitCode ?? -1))")
            }
            if report {
                Terminal.say(JSONValue.object([("child", .int(childValue)), ("parent", .int(globalValue))]).text)
            } else {
                Terminal.say("parent: n = \(globalValue)")
            }
        } catch let error as ProcessError {
            throw Terminal.fail("isolation: \(error)")
        } catch let error as Errno {
            throw Terminal.fail("isolation: \(error)")
        }
    }
}
