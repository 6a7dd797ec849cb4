import ShellLanguage
import SystemIO

/// `policy [FILE]`: the least-privilege IAM policy for a script (or for what was used so far at
/// the prompt), from the actions each command calls (language page, section 4).
enum PolicyBuilder {
    /// The actions a command calls, given its words (literal where they can be read).
    static func actions(for command: String, words: [String], state: inout State) -> [String] {
        let resolves = "ssm:DescribeInstanceInformation"
        func targets(_ list: [String]) -> [String] {
            var out: [String] = []
            for word in list where !word.hasPrefix("--") {
                out.append(resolves)
                if word.contains("*") || word.contains("?") || word.contains("[") { out.append("ec2:DescribeInstances") }
            }
            return out
        }
        switch command {
        case "use":
            guard let first = words.first, first != "profile", first != "region" else { return [] }
            state.hasTargets = true
            return targets(words)
        case "instances": return [resolves] + targets(words.filter { !["online", "offline"].contains($0) && !$0.hasPrefix("platform:") })
        case "run":
            var out = ["ssm:SendCommand"]
            if let on = words.firstIndex(of: "--on"), on + 1 < words.count { out += targets(words[on + 1].split(separator: ",").map(String.init)) }
            if words.contains("--wait") { out += ["ssm:ListCommandInvocations", "ssm:GetCommandInvocation"] }
            state.ranCommand = true
            return out
        case "wait", "invocations": return ["ssm:ListCommandInvocations"]
        case "output":
            // Without a `run` before it, output lists the invocations to know the nodes.
            return ["ssm:GetCommandInvocation"] + (state.ranCommand ? [] : ["ssm:ListCommandInvocations"])
        case "cancel": return ["ssm:CancelCommand"]
        case "commands": return ["ssm:ListCommands"]
        case "connect": return ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession"] + targets(Array(words.prefix(1)))
        case "forward", "proxy": return ["ssm:StartSession", "ssm:TerminateSession"] + targets(words.count > 1 ? [words[0]] : [])
        case "sessions": return ["ssm:DescribeSessions"]
        case "terminate": return ["ssm:TerminateSession"]
        case "status": return ["ssm:GetConnectionStatus"] + targets(words)
        default: return []
        }
    }

    struct State {
        var hasTargets = false
        var ranCommand = false
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

extension Shell {
    func policy(_ args: [String]) throws -> Int32 {
        guard args.count <= 1 else { throw ShellError.usage("policy takes at most one script file") }
        let script: Script
        if let path = args.first {
            guard let bytes = try LocalFileSystem().contents(of: path) else { throw ShellError("policy: \(path) does not exist") }
            script = try Parser.parse(String(decoding: bytes, as: UTF8.self), file: path)
        } else {
            // What was typed at the prompt so far.
            script = (try? Parser.parse(history.joined(separator: "\n"), file: "history")) ?? Script(commands: [])
        }
        let actions = PolicyBuilder.actions(of: script)
        guard !actions.isEmpty else { throw ShellError("policy: the script calls no AWS action") }
        console.out(PolicyBuilder.document(actions))
        return 0
    }

    /// `console [TARGET]`: the AWS console's Session Manager page for a node (or the list).
    func consoleURL(_ args: [String]) async throws -> Int32 {
        guard let region = currentRegion else { throw ShellError("console needs a region: use region NAME, or --region") }
        var nodes = targets
        if !args.isEmpty { nodes = try await resolveTargets(args) }
        let base = "https://\(region).console.aws.amazon.com/systems-manager/session-manager"
        if nodes.isEmpty {
            console.out("\(base)?region=\(region)\n")
        } else {
            for node in nodes { console.out("\(base)/\(node.id)?region=\(region)\n") }
        }
        return 0
    }
}
