import SessionProtocol
import ShellLanguage
import SSMCore
import SystemIO

/// `connect`: an interactive session on one node, or one command with its exit status back
/// (language page, section 4, Sessions). The session itself runs in Shell.runSession
/// (SessionRunning.swift).
struct ConnectCommand: ShellCommand {
    let name = "connect"
    let usage = "connect [[PROFILE@REGION:]TARGET] [--document NAME] [--param K=V] [--reason TEXT] [--command CMD] [--record FILE]"
    let summary = "an interactive session on one node (~. leaves, ~? lists escapes); the remote exit status of --command comes back"
    /// Its options that take a value.
    static let valuedOptions: Set<String> = ["document", "param", "reason", "command", "record"]
    let codeOption: (option: String, valued: Set<String>)? = ("command", ConnectCommand.valuedOptions)
    let iamActions = ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", PolicyBuilder.resumes] + PolicyBuilder.targetActions(Array(words.prefix(1)))
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("connect", input.arguments, valued: Self.valuedOptions, anywhere: true)
        // `--command`'s value is code for the node's shell, read as written (OptionText).
        let commandText = try shell.writtenOption(opts.value("command"), written: OptionText(input.command), command: "connect")
        guard opts.rest.count <= 1 else { throw ShellError.usage("connect takes one target; sessions are one node at a time") }
        var nodes = try await shell.sessionNodes(opts.rest.first)
        if let chosen = try await shell.oneSessionNode(nodes, command: "connect") { nodes = [chosen] }
        guard let node = nodes.first else { throw ShellError.usage("connect needs a target: connect TARGET, or 'use TARGET' first") }
        guard nodes.count == 1 else {
            throw ShellError.usage("connect goes to one node, and this matches \(nodes.count): \(nodes.map(\.label).joined(separator: ", "))")
        }
        let terminal = shell.services.terminal.isTerminal(.input)
        var document = opts.value("document")
        var parameters: [String: [String]] = [:]
        for pair in opts.all("param") {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw ShellError.usage("connect --param takes KEY=VALUE, not '\(pair)'") }
            parameters[String(pair[..<eq]), default: []].append(String(pair[pair.index(after: eq)...]))
        }
        if let commandText {
            let windows = node.platform == "Windows"
            let command = try shell.text(of: commandText, for: windows ? .powerShell : .posix)
            // On a terminal the command gets a pty; piped, it runs without one and its exit status comes back.
            document = document ?? (terminal ? "AWS-StartInteractiveCommand" : "AWS-StartNonInteractiveCommand")
            switch document {
            // The marker is printed by a POSIX shell; PowerShell has no printf (its exit status
            // is not known on a terminal).
            case "AWS-StartInteractiveCommand": parameters["command"] = [windows ? command : ExitMarker.wrap(command)]
            // The agent executes this one without a shell: the node's shell is named (issue 18).
            case "AWS-StartNonInteractiveCommand": parameters["command"] = [NonInteractiveCommand.commandLine(command, windows: windows)]
            default: parameters["command"] = [command]
            }
            if document == "AWS-StartNonInteractiveCommand" && parameters["separateOutputStream"] == nil {
                parameters["separateOutputStream"] = ["true"]  // stderr comes back as StdErr, to our stderr
            }
        }
        let fleet = try shell.fleet(for: node.pair)
        // A clear answer before StartSession's TargetNotConnected (the guide's basic policy allows it).
        if try await fleet.connectionStatus(node.id) != "connected" {
            throw ShellError("\(node.label) is not connected to Systems Manager (its agent is not reachable); 'status \(node.name ?? node.id)' rechecks it")
        }
        let status = Self.exitStatus(
            document: document, command: commandText != nil, windows: node.platform == "Windows",
            separateStreams: parameters["separateOutputStream"] == ["true"])
        // The advice is to run with stdin not a terminal: said only where stdin is one (an explicit
        // AWS-StartInteractiveCommand with stdin a pipe has already followed it).
        if status == .unknown && terminal && !shell.options.quiet {
            shell.console.err(
                "connect: the exit status of a command on a Windows node does not come back on a terminal (status 0 whatever it did); run it with stdin not a terminal (connect ... < /dev/null) for its status\n"
            )
        }
        let stream = try await fleet.startSession(
            target: node.id, document: document, reason: opts.value("reason"),
            parameters: parameters.isEmpty ? nil : parameters)
        shell.variables["session"] = stream.sessionId
        let interactive = terminal && document != "AWS-StartNonInteractiveCommand"
        return try await shell.runSession(
            stream, on: node, fleet: fleet, interactive: interactive, proxy: false, record: opts.value("record"),
            exitMarker: status == .marker, exitStatusDue: status == .marker || status == .reported)
    }

    /// How a command's exit status comes back, if it does.
    enum ExitStatusSource: Equatable {
        /// No command: an interactive shell, whose status is the session's.
        case notExpected
        /// The POSIX marker printed after it (ExitMarker), on a pty.
        case marker
        /// The agent's exit code message: sent only with separate output streams (shell.go).
        case reported
        /// PowerShell on a pty: no printf for the marker, and the agent reports none (spec 7.1).
        case unknown
    }

    static func exitStatus(document: String?, command: Bool, windows: Bool, separateStreams: Bool) -> ExitStatusSource {
        guard command else { return .notExpected }
        switch document {
        case "AWS-StartInteractiveCommand": return windows ? .unknown : .marker
        case "AWS-StartNonInteractiveCommand": return separateStreams ? .reported : .notExpected
        default: return .notExpected
        }
    }
}
