import AWSCore
import SSMCore
import Synchronization
import SystemIO

/// The interactive prompt (language page, section 6): libedit, a history file (0600) under XDG
/// state, Tab completion, `PROFILE:REGION TARGET> ` with the last status when it was not 0,
/// Ctrl-C clears the line, Ctrl-D leaves.
struct Prompt {
    let shell: Shell

    static let regions = [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1", "me-south-1", "af-south-1", "il-central-1",
    ]

    func run() async -> Int32 {
        shell.interactive = true
        let file = Self.historyPath(shell.environment).map(HistoryFile.init(path:))
        let completion = Completion(directories: shell.services.directories)
        let editor = LineEditor(program: "ssm-shell") { line in completion.candidates(line) }
        for line in file?.load() ?? [] {
            editor.addToHistory(line)
            shell.history.append(line)
        }
        shell.console.err("ssm-shell \(Version.current): 'help' lists the commands, Ctrl-D leaves.\n")
        var input = PromptInput()
        let commandNames = Set(CommandRegistry.names)
        while true {
            completion.refresh(from: shell)
            editor.setPrompt(input.isOpen ? PromptInput.continuationPrompt : promptText())
            _ = Interrupts.take()
            let line = await onDedicatedThread { editor.readLine() }
            let source: String
            switch line {
            case .endOfInput:
                shell.console.err("\n")
                // Ctrl-D inside a block: it runs as it is, which says what is missing, and the
                // main prompt comes back; a second Ctrl-D leaves.
                guard input.isOpen else { return shell.exit.lastStatus }
                source = input.lines.joined(separator: "\n")
                input.abandon()
            case .interrupted:
                shell.console.err("\n")
                input.abandon()
                continue
            case .text(let text):
                switch input.take(text, commandNames: commandNames) {
                case .nothing, .needMore: continue
                case .run(let text): source = text
                }
            }
            remember(source, editor: editor, file: file)
            _ = await shell.run(source: source, file: "prompt")
            if shell.exit.exitRequested { return shell.exit.exitStatus }
        }
    }

    /// Keeps what ran in the history, line by line (the history file holds lines); a block
    /// whose first line was typed with a leading space is kept nowhere (keepsInHistory).
    private func remember(_ source: String, editor: LineEditor, file: HistoryFile?) {
        guard Self.keepsInHistory(source) else { return }
        shell.history.ran(source)
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) where !line.trimmingWhitespace().isEmpty {
            editor.addToHistory(line)
            shell.history.append(line)
            file?.append(line)
        }
    }

    func promptText() -> String {
        var target = ""
        if let first = shell.targets.first {
            target = " " + first.shortLabel + (shell.targets.count > 1 ? "+\(shell.targets.count - 1)" : "")
        }
        let status = shell.exit.lastStatus == 0 ? "" : " [\(shell.exit.lastStatus)]"
        return "\(shell.contextLabel)\(target)\(status)> "
    }

    /// `$XDG_STATE_HOME/ssm-shell/history`, else `~/.local/state/ssm-shell/history`; with neither
    /// there is no history file (a shared directory such as /tmp would expose it to other users).
    static func historyPath(_ environment: Environment) -> String? {
        // A relative path is ignored (XDG Base Directory spec: "must be absolute"): it would put
        // the history, typed secrets and all, in whatever directory the shell started in.
        func absolute(_ name: String) -> String? { environment.nonEmpty(name).flatMap { $0.hasPrefix("/") ? $0 : nil } }
        if let state = absolute("XDG_STATE_HOME") { return state + "/ssm-shell/history" }
        return absolute("HOME").map { $0 + "/.local/state/ssm-shell/history" }
    }

    /// bash's `ignorespace` (bash manual, HISTCONTROL): a line typed with a leading space is kept
    /// nowhere, so a command with a secret in it can be typed without being remembered.
    static func keepsInHistory(_ line: String) -> Bool {
        !line.hasPrefix(" ") && !line.trimmingWhitespace().isEmpty
    }
}

/// What Tab offers: commands, a command's options, profiles, regions, targets, command ids, paths.
/// Sendable: Tab runs it on the line editor's thread, which sees only the snapshot (under a
/// lock) and the directory reader, never the shell.
final class Completion: Sendable {
    private let directories: any DirectoryReader
    private let snapshot = Mutex(Snapshot())

    struct Snapshot {
        var profiles: [String] = []
        var targets: [String] = []
        var commandIds: [String] = []
        /// The procedures `def` made.
        var procedures: [String] = []
    }

    init(directories: any DirectoryReader) { self.directories = directories }

    /// Taken between lines, on the shell's own task, so completion never touches the shell itself.
    func refresh(from shell: Shell) {
        var s = Snapshot()
        if let settings = try? shell.fleetSettings() { s.profiles = Array(settings.profiles.profiles.keys).sorted() }
        s.targets = shell.knownNodes.values.flatMap { [$0.id] + ($0.name.map { [$0] } ?? []) } + ["all"]
        s.commandIds = Array(shell.commandTargets.keys)
        s.procedures = shell.procedures.names
        snapshot.withLock { $0 = s }
    }

    /// The command words first; then a command's `--options`, or what the command offers
    /// (ShellCommand.completions).
    func candidates(_ line: String) -> [String] {
        var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // After `if`, `elif` and `try` comes a command (docs/language.md, Control flow).
        while words.count > 1, Self.commandPrefixes.contains(words[0]) { words.removeFirst() }
        let snapshot = snapshot.withLock { $0 }
        if words.count <= 1 { return CommandRegistry.names + ControlFlowHelp.keywords + snapshot.procedures }
        guard let command = CommandRegistry.command(named: words[0]) else { return [] }
        let request = CompletionRequest(words: words, snapshot: snapshot)
        if request.current.hasPrefix("-") { return command.options + ["--help"] }
        switch command.completions(request) {
        case .none: return []
        case .words(let words): return words
        case .paths: return Self.paths(request.current, in: directories)
        }
    }

    static let regionsList = Prompt.regions

    /// Words a command follows on the same line.
    static let commandPrefixes: Set<String> = ["if", "elif", "try"]

    /// File names in the directory of the partial path, a directory's with its `/`.
    static func paths(_ partial: String, in directories: any DirectoryReader) -> [String] {
        let slash = partial.lastIndex(of: "/")
        let directory = slash.map { String(partial[...$0]) } ?? ""
        return directories.entries(in: directory.isEmpty ? "." : directory).map {
            directory + $0.name + ($0.isDirectory ? "/" : "")
        }
    }
}
