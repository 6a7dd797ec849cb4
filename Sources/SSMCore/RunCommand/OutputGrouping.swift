/// How `output` shows many nodes' results: nodes that printed the same thing are one group,
/// headed by their names and how they ended. Pure: results in, groups out.
public enum OutputGrouping {
    /// One node's result of one command.
    public struct Entry: Sendable {
        public var commandId: String
        public var instanceId: String
        public var result: InvocationResult
        /// How it ended in words, when the exit code is not the script's (`CommandLedger.outcome`).
        public var outcome: String?

        public init(commandId: String, instanceId: String, result: InvocationResult, outcome: String?) {
            self.commandId = commandId
            self.instanceId = instanceId
            self.result = result
            self.outcome = outcome
        }
    }

    /// Nodes that printed the same, and ended the same way.
    public struct Group: Sendable {
        /// `timed out after 5s`, `cancelled`, or the status (`Success`, `Failed`).
        public var summary: String
        public var nodes: [String]
        /// Each node's exit code, where it is the script's.
        public var exits: [(code: Int, node: String)]
        /// The first node's result (the others printed the same).
        public var result: InvocationResult
        /// Standard error without the agent's failure line.
        public var stderr: String
    }

    /// Grouped by what the command printed: the exit code and the agent's own failure line stay
    /// out of the key, so nodes that printed the same are one group. `group` false: one group
    /// per node, in order.
    public static func groups(_ entries: [Entry], group: Bool) -> [Group] {
        var groups: [(key: String, group: Group)] = []
        for entry in entries {
            let r = entry.result
            let summary = entry.outcome ?? r.status
            let exit = entry.outcome == nil && r.responseCode >= 0 ? [(code: r.responseCode, node: entry.instanceId)] : []
            let stderr = withoutAgentFailureLine(r.standardError, status: r.status, code: r.responseCode)
            let key = "\(summary)\u{0}\(r.standardOutput)\u{0}\(stderr)"
            if group, let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].group.nodes.append(entry.instanceId)
                groups[i].group.exits += exit
            } else {
                groups.append((key, Group(summary: summary, nodes: [entry.instanceId], exits: exit, result: r, stderr: stderr)))
            }
        }
        return groups.map(\.group)
    }

    /// A group's exit codes, each with its nodes, in the order first seen: one entry when the
    /// nodes share their code.
    public static func exitCodes(_ exits: [(code: Int, node: String)]) -> [(code: Int, nodes: [String])] {
        var codes: [(code: Int, nodes: [String])] = []
        for e in exits {
            if let i = codes.firstIndex(where: { $0.code == e.code }) { codes[i].nodes.append(e.node) } else { codes.append((e.code, [e.node])) }
        }
        return codes
    }

    /// amazon-ssm-agent keeps the first 23,980 characters of stdout and appends this marker, 24,000
    /// in all (issue 19); the marker is the agent's, not the node's output.
    public static let truncationMarker = "--output truncated--"
    /// How much stdout the agent keeps before its marker.
    public static let keptBeforeMarker = 23_980

    public static func withoutTruncationMarker(_ text: String) -> (text: String, cut: Bool) {
        text.hasSuffix(truncationMarker) ? (String(text.dropLast(truncationMarker.count)), true) : (text, false)
    }

    /// amazon-ssm-agent 3.3 appends `failed to run commands: exit status N` to the stderr of a
    /// script that exits non-zero (plugins/runscript, MarkAsFailed; no newline of its own, issue
    /// 19): the agent's words, not the command's, left out so that nodes group on what they printed.
    /// A shell ended by a signal has no exit status: the agent reports -1 and names the signal as
    /// Go's os/exec does (`failed to run commands: signal: killed`; executers ExecuteCommand).
    public static func withoutAgentFailureLine(_ stderr: String, status: String, code: Int) -> String {
        guard status == "Failed" else { return stderr }
        if code == -1 {
            let prefix = "failed to run commands: signal: "
            guard let range = stderr.ranges(of: prefix).last,
                !stderr[range.upperBound...].contains("\n")
            else { return stderr }
            return String(stderr[..<range.lowerBound])
        }
        let line = "failed to run commands: exit status \(code)"
        guard stderr.hasSuffix(line) else { return stderr }
        return String(stderr.dropLast(line.count))
    }

    /// GetCommandInvocation gives the first 8,000 characters of stderr (API reference).
    public static let stderrLimit = 8000
}
