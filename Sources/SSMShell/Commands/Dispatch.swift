import ShellLanguage

extension Shell {
    /// Runs one expanded command line: looks the command up in CommandRegistry, answers
    /// `--help`, applies the rules every command shares, and runs it. `text` is what `run` and
    /// `!` pass on as written.
    func dispatch(name: String, arguments: [String], command: Command, text: String? = nil) async throws -> Int32 {
        // A procedure `def` made (the parser keeps them from taking a command's name).
        if let definition = procedures[name] {
            if command.hereDocument != nil { throw ShellError.usage("'\(name)' takes no here-document: it is a procedure (def)") }
            return try await call(definition, arguments: arguments)
        }
        guard let entry = CommandRegistry.command(named: name) else {
            let hint = Suggest.closest(name, in: CommandRegistry.names + procedures.names).map { "; did you mean '\($0)'?" } ?? ""
            throw ShellError.usage("unknown command '\(name)'\(hint)")
        }
        if arguments.first == "--help" || arguments.first == "-h" {
            console.out(entry.help)
            return 0
        }
        if let issue = entry.comingIn {
            throw ShellError.usage("'\(name)' is not available yet in this build (it comes with \(issue)).")
        }
        // Their words after the options are another shell's text, known only when written.
        if PassThrough.valuedOptions[name] != nil && text == nil {
            throw ShellError.usage("write '\(name)' itself, not through a variable: the words after it are text for another shell")
        }
        let body = try command.hereDocument.map { try expandHereDocument($0) }
        if body != nil && !entry.takesHereDocument {
            throw ShellError.usage("'\(name)' takes no here-document")
        }
        // A pair of the context skipped on the way (its credentials failed) makes a command
        // that otherwise succeeded end with status 1 (ContextFleets.swift).
        pairFleets.skipped = 0
        pairFleets.statusIsSkips = false
        let status = try await entry.run(CommandInput(arguments: arguments, command: command, text: text, hereDocument: body), in: self)
        pairFleets.statusIsSkips = status == 0 && pairFleets.skipped > 0
        return pairFleets.statusIsSkips ? 1 : status
    }
}
