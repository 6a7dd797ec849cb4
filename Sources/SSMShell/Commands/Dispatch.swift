import AWSCore
import Glibc
import ShellLanguage
import SystemIO

extension Shell {
    /// Runs one expanded command line; `text` is what `run` and `!` pass on as written.
    func dispatch(name: String, arguments: [String], command: Command, text: String? = nil) async throws -> Int32 {
        guard let info = CommandTable.byName[name] else {
            let hint = Suggest.closest(name, in: CommandTable.all.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
            throw ShellError.usage("unknown command '\(name)'\(hint)")
        }
        if arguments.first == "--help" || arguments.first == "-h" {
            console.out(help(for: info))
            return 0
        }
        if let issue = info.availableIn {
            throw ShellError.usage("'\(name)' is not available yet in this build (it comes with \(issue)).")
        }
        // Their words after the options are another shell's text, known only when written.
        if PassThrough.valuedOptions[name] != nil && text == nil {
            throw ShellError.usage("write '\(name)' itself, not through a variable: the words after it are text for another shell")
        }
        let body = try command.hereDocument.map { try expandHereDocument($0) }
        if body != nil && !["run", "echo"].contains(name) {
            throw ShellError.usage("'\(name)' takes no here-document")
        }
        switch name {
        case "use": return try await use(arguments)
        case "instances": return try await instances(arguments)
        case "run": return try await runCommand(arguments, text: text ?? "", script: body)
        case "wait": return try await waitCommand(arguments)
        case "output": return try await output(arguments)
        case "cancel": return try await cancel(arguments)
        case "invocations": return try await invocations(arguments)
        case "commands": return try await commands(arguments)
        case "connect": return try await connect(arguments, written: OptionText(command))
        case "sessions": return try await sessions(arguments)
        case "terminate": return try await terminate(arguments)
        case "status": return try await status(arguments)
        case "proxy": return try await proxy(arguments)
        case "forward": return try await forward(arguments)
        case "forwards": return try forwardsList(arguments)
        case "stop": return try await stop(arguments)
        case "doctor": return try await doctor(arguments)
        case "policy": return try policy(arguments)
        case "console": return try await consoleURL(arguments)
        case "set": return try set(arguments)
        case "unset":
            for variable in arguments { variables[variable] = nil }
            return 0
        case "echo":
            console.out(arguments.joined(separator: " ") + "\n" + (body ?? ""))
            return 0
        case "sleep": return try await sleep(arguments)
        case "source": return try await source(arguments)
        case "!": return try await local(text ?? "")
        case "exit":
            // A process status is one byte: `exit 256` would end with 0.
            guard let argument = arguments.first else { throw ExitRequest(status: ExitStatus.byte(lastStatus)) }
            guard let status = Int32(argument), (0...255).contains(status) else {
                throw ShellError.usage("exit takes a status from 0 to 255, not \(argument)")
            }
            throw ExitRequest(status: status)
        case "help":
            if let topic = arguments.first {
                guard let info = CommandTable.byName[topic] else { throw ShellError.usage("no help for '\(topic)'") }
                console.out(help(for: info))
            } else {
                console.out(overview())
            }
            return 0
        case "history":
            for (i, line) in history.enumerated() { console.out("\(String(i + 1).leftPadded(5))  \(line)\n") }
            return 0
        default:
            throw ShellError.usage("unknown command '\(name)'")
        }
    }

    func help(for info: CommandInfo) -> String {
        var text = "\(info.usage)\n  \(info.summary)\n"
        if !info.actions.isEmpty { text += "  IAM: \(info.actions.joined(separator: ", "))\n" }
        if let issue = info.availableIn { text += "  (not available yet: \(issue))\n" }
        return text
    }

    func overview() -> String {
        var text = "Commands (help COMMAND, or COMMAND --help, for details):\n"
        for info in CommandTable.all {
            text += "  \(info.name.padded(12)) \(info.summary)\(info.availableIn.map { " (coming: \($0))" } ?? "")\n"
        }
        return text
    }

    // MARK: set, sleep, source, !

    func set(_ args: [String]) throws -> Int32 {
        guard let name = args.first else {
            for key in variables.keys.sorted() { console.out("\(key)=\(variables[key]!)\n") }
            console.out("output=\(outputFormat.rawValue)\ncolor=\(color ? "on" : "off")\nkeep-going=\(keepGoing ? "on" : "off")\n")
            return 0
        }
        let value = args.dropFirst().joined(separator: " ")
        func onOff() throws -> Bool {
            switch value { case "on", "true", "yes": return true; case "off", "false", "no": return false
            default: throw ShellError.usage("set \(name) takes on or off, not '\(value)'") }
        }
        switch name {
        case "output":
            guard let format = OutputFormat(rawValue: value) else { throw ShellError.usage("set output takes table, text or json, not '\(value)'") }
            outputFormat = format
        case "color": color = try onOff()
        case "keep-going": keepGoing = try onOff()
        default:
            guard Parser.isVariableName(name) else { throw ShellError.usage("'\(name)' is not a variable name; use letters, digits and _") }
            guard !Shell.readOnlyVariables.contains(name) else {
                throw ShellError.usage("$\(name) is set by the shell; use \(name == "profile" || name == "region" ? "use \(name) NAME" : "another name")")
            }
            variables[name] = value
        }
        return 0
    }

    func sleep(_ args: [String]) async throws -> Int32 {
        guard args.count == 1, let seconds = DurationText.parse(args[0]) else {
            throw ShellError.usage("sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h")
        }
        let deadline = clock.now() + seconds
        // The clock is read once a round: a deadline that passes between a check and the sleep
        // would otherwise be a negative sleep.
        while case let remaining = deadline - clock.now(), remaining > 0 {
            if interrupted() { throw ShellError("interrupted", status: 130) }
            try await clock.sleep(seconds: min(0.1, remaining))
        }
        return 0
    }

    func source(_ args: [String]) async throws -> Int32 {
        guard let path = args.first else { throw ShellError.usage("source needs a file") }
        guard let bytes = try LocalFileSystem().contents(of: path) else { throw ShellError("source: \(path) does not exist") }
        let saved = arguments
        arguments = Array(args.dropFirst())
        defer { arguments = saved }
        let wasInteractive = interactive
        interactive = false
        defer { interactive = wasInteractive }
        let status = await run(source: String(decoding: bytes, as: UTF8.self), file: path)
        if exitRequested { throw ExitRequest(status: exitStatus) }
        return status
    }

    /// `! COMMAND`: the text as written to the local /bin/sh, the shell's own variables quoted
    /// for it (issue 11, item 17); other `$NAME`s are sh's, which sees the environment.
    func local(_ text: String) async throws -> Int32 {
        guard !text.isEmpty else { throw ShellError.usage("! needs a command to run on this machine") }
        let command = try substitute(text, for: .posix)
        return await onDedicatedThread { LocalCommand.run(command) }
    }
}

extension Parser {
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// `! COMMAND`: /bin/sh on this machine with the shell's stdin, stdout and stderr.
enum LocalCommand {
    static func run(_ command: String) -> Int32 {
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { argv.forEach { free($0) } }
        // Only stdin, stdout and stderr reach the child: no session socket, listener or pipe.
        let (spawned, pid) = CloseOnExec.spawn("/bin/sh", argv: argv, environment: environ, searchPath: false)
        guard spawned == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
