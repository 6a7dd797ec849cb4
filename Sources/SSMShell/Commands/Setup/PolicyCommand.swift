import AWSCore
import ShellLanguage
import SSMCore

/// `policy [FILE]`: the least-privilege IAM policy for a script (or for the commands typed at the
/// prompt in this session), from the actions each of its commands calls (language page, section 4).
struct PolicyCommand: ShellCommand {
    let name = "policy"
    let usage = "policy [FILE]"
    let summary = "the least-privilege IAM policy for a script, or for the commands typed at the prompt in this session"
    let runsAlone = true

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard args.count <= 1 else { throw ShellError.usage("policy takes at most one script file") }
        let script: Script
        if let path = args.first {
            guard let bytes = try shell.services.fileSystem.contents(of: path) else { throw ShellError("policy: \(path) does not exist") }
            script = try Parser.parse(String(decoding: bytes, as: UTF8.self), file: path)
        } else {
            script = try typedScript(in: shell)
        }
        let actions = PolicyBuilder.actions(of: script)
        guard !actions.isEmpty else { throw ShellError("policy: the script calls no AWS action") }
        shell.console.out(PolicyBuilder.document(actions))
        return 0
    }

    /// The commands typed at the prompt in this session, each parsed as it ran (a block whole),
    /// and a line on stderr saying so. Not the history file's lines: those are earlier sessions',
    /// and read as one script, one unfinished block there hid everything after it.
    private func typedScript(in shell: Shell) throws -> Script {
        let typed = shell.history.sessionCommands
        guard !typed.isEmpty else {
            throw ShellError.usage("policy: nothing was typed at the prompt in this session; give a script: policy FILE")
        }
        var commands: [Command] = []
        var unreadable: [String] = []
        for text in typed {
            do { commands += try Parser.parse(text, file: "prompt").commands } catch { unreadable.append(text) }
        }
        let count = typed.count - unreadable.count
        var note = "policy: for the \(count) command\(count == 1 ? "" : "s") typed at the prompt in this session (earlier sessions' history is not read)"
        if !unreadable.isEmpty {
            note += "; left out, as they do not parse: " + unreadable.map { $0.replacing("\n", with: "; ") }.joined(separator: " | ")
        }
        shell.console.err(note + "\n")
        return Script(commands: commands)
    }
}

/// The actions of a script, each command's from its `policyActions` (CommandRegistry), and the
/// policy document they make.
enum PolicyBuilder {
    /// What resolving any target calls.
    static let resolves = "ssm:DescribeInstanceInformation"
    /// What a session command calls when its connection is lost and the session is resumed
    /// (SessionRunner): any long session may need it, and the guide's basic policy lacks it.
    static let resumes = "ssm:ResumeSession"

    /// The actions resolving these target words calls: a Name glob also asks EC2. The grammar
    /// is `use`'s own (SSMCore's TargetExpression); options are not targets.
    static func targetActions(_ list: [String]) -> [String] {
        TargetExpression.iamActions(of: list.filter { !$0.hasPrefix("--") })
    }

    /// What the script did before a command, which changes what the command needs.
    struct State {
        var hasTargets = false
        var ranCommand = false
        /// The words of the script's last `use TARGET...` ("$" where not literal).
        var targetWords: [String] = []
        /// A `use` named several accounts or regions (or words not literal there).
        var severalPairs = false
        /// A `run` may have gone by Targets (TagTargets), which `wait` follows with ListCommands.
        var sentByTags = false
        /// Commands send their output to CloudWatch Logs (`set cloudwatch`, `run --cloudwatch`),
        /// so `output` may read it there.
        var cloudWatch = false
        /// Commands have their output uploaded to S3 (`set output-bucket`, `run --output-bucket`),
        /// so `output` may read it there.
        var outputBucket = false
    }

    /// Whether `run` on these target words may send by Targets (SSMCore TagTargets: tag words
    /// only, one key): then `wait`, `run --wait` and `run --follow` call ListCommands when fewer
    /// nodes answer than were found (Shell.targetsCommandsEnded). A word not literal may be so.
    static func mayGoByTags(_ words: [String]) -> Bool {
        if words.contains("$") { return true }
        guard let expression = try? TargetExpression.parse(words) else { return false }
        return TagTargets.targets(for: expression) != nil
    }

    /// The actions a command calls, given its words (literal where they can be read).
    static func actions(for command: String, words: [String], state: inout State) -> [String] {
        CommandRegistry.command(named: command)?.policyActions(words, state: &state) ?? []
    }

    /// The actions of a parsed script, in a stable order.
    static func actions(of script: Script) -> [String] {
        var state = State()
        var found = Set<String>()
        for command in script.commands {
            var words = command.words.map { $0.literalText ?? "$" }
            guard !words.isEmpty else { continue }
            var name = words.removeFirst()
            if name == "try", !words.isEmpty { name = words.removeFirst() }
            found.formUnion(actions(for: name, words: words, state: &state))
        }
        return found.sorted()
    }

    /// A policy document ready to paste, one statement.
    static func document(_ actions: [String]) -> String {
        let list = actions.map { "        \"\($0)\"" }.joined(separator: ",\n")
        return """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": [
            \(list)
                  ],
                  "Resource": "*"
                }
              ]
            }

            """
    }
}
