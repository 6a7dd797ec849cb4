import ShellLanguage

/// One command of the language (docs/language.md, section 4): everything help, `policy`, Tab
/// completion, the here-document rule and the dispatcher know about it, and what it does. Each
/// command is one type in its own file under Commands/, and `CommandRegistry` lists them: adding
/// a command is writing such a type and listing it there.
protocol ShellCommand: Sendable {
    /// The word that calls it.
    var name: String { get }
    /// Its forms on one line, options in brackets: help prints it, and Tab offers the
    /// `--options` written in it.
    var usage: String { get }
    /// What it does, in a line (help and the overview).
    var summary: String { get }
    /// The IAM actions it may call, as help lists them (when one is needed only sometimes, the
    /// case follows in parentheses).
    var iamActions: [String] { get }
    /// Built, or listed ahead of the issue that brings it (help marks it, dispatch refuses it).
    var availability: CommandAvailability { get }
    /// Whether it takes a here-document (`run <<EOF`, `echo <<EOF`); every other command refuses one.
    var takesHereDocument: Bool { get }
    /// Whether `ssm-shell NAME ...` runs it alone, without a script around it (ssh's
    /// ProxyCommand runs `ssm-shell proxy %h %p`), even when a file of that name is in the
    /// current directory.
    var runsAlone: Bool { get }
    /// Whether a remote failure it reports (status 3) is data the script goes on past, as
    /// `output` shows who failed: `$status` is 3, and the script goes on (a failing `wait`
    /// is what stops a script, FailureStop.swift).
    var remoteFailureIsData: Bool { get }
    /// `run` and `!`: the words after its options are text for another shell, passed on as
    /// written (PassThrough); these are its options that take a value. nil for the others.
    var passThroughValuedOptions: Set<String>? { get }
    /// `connect --command`: the option whose value is code for the node's shell, read as
    /// written (OptionText), and the command's options that take a value. nil for the others.
    var codeOption: (option: String, valued: Set<String>)? { get }

    /// The IAM actions one call needs, for `policy`: from its words, literal where they can be
    /// read (a word that cannot is `$`), and what the script did before (`state`).
    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String]
    /// What Tab offers for the word being typed after the command word.
    func completions(_ request: CompletionRequest) -> Completions
    /// Runs one call; returns its status (language page, section 1).
    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32
}

extension ShellCommand {
    var iamActions: [String] { [] }
    var availability: CommandAvailability { .built }

    /// The issue that brings it while it is not built; nil once it is.
    var comingIn: String? {
        if case .comingIn(let issue) = availability { return issue }
        return nil
    }
    var takesHereDocument: Bool { false }
    var runsAlone: Bool { false }
    var remoteFailureIsData: Bool { false }
    var passThroughValuedOptions: Set<String>? { nil }
    var codeOption: (option: String, valued: Set<String>)? { nil }
    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { [] }
    func completions(_ request: CompletionRequest) -> Completions { .none }

    /// The `--options` its usage line names, in order, each once.
    var options: [String] {
        var found: [String] = []
        for word in usage.split(whereSeparator: { " []|".contains($0) }) where word.hasPrefix("--") {
            let option = String(word.prefix { $0 != "=" })
            if !found.contains(option) { found.append(option) }
        }
        return found
    }

    /// `help NAME` and `NAME --help`.
    var help: String {
        var text = "\(usage)\n  \(summary)\n"
        if !iamActions.isEmpty { text += "  IAM: \(iamActions.joined(separator: ", "))\n" }
        if let comingIn { text += "  (not available yet: \(comingIn))\n" }
        return text
    }
}

/// Whether a command is built. An enum rather than an optional issue, so that a command that
/// writes `let availability = CommandAvailability.comingIn("issue 7")` meets the requirement: a
/// `let comingIn = "issue 7"` would be a String, not the String? required, and the protocol's
/// default would silently win.
enum CommandAvailability: Equatable, Sendable {
    case built
    case comingIn(String)
}

/// One call of a command, as the dispatcher hands it over.
struct CommandInput {
    /// The words after the command word, expanded (`run` and `!`: only their options).
    var arguments: [String]
    /// The command as parsed, for what must be read as written (`connect --command`).
    var command: Command
    /// `run` and `!`: the rest of the command as written, for another shell (PassThrough).
    var text: String?
    /// The here-document, expanded, when the command takes one.
    var hereDocument: String?
}

/// The line being completed at the prompt, and what the shell knew when the line began.
struct CompletionRequest {
    /// Every word of the line so far, the command word first; the last is being typed.
    var words: [String]
    var snapshot: Completion.Snapshot

    var current: String { words.last ?? "" }
    /// The word before the one being typed.
    var previous: String { words.count >= 2 ? words[words.count - 2] : "" }
}

/// What Tab offers.
enum Completions: Equatable {
    case none
    case words([String])
    /// File names that start with the word being typed (the prompt reads the directory).
    case paths
}
