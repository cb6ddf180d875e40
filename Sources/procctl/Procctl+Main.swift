import ArgumentParser

extension Procctl {
    /// swift-argument-parser's `main`, with each command's examples after its help.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if exitCode(for: error) == .success, let examples = examplesSection(for: arguments) {
                var help = Substring(fullMessage(for: error))
                while help.last == "\n" { help.removeLast() }
                if help.hasPrefix("OVERVIEW:") {
                    print(help + "\n\n" + examples)
                    Self.exit()
                }
            }
            Self.exit(withError: error)
        }
    }

    /// The examples of the command that `arguments` name (`serve --help`, `help serve`,
    /// `bench spawn -h`), when it has any.
    private static func examplesSection(for arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Procctl.self
        for argument in arguments {
            if argument == "--" { break }
            guard let sub = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { continue }
            command = sub
        }
        return (command as? any CommandWithExamples.Type)?.examplesSection
    }
}
