import AWSCore
import SSMCore
import SystemIO

/// `attach`'s prompt: libedit with a history file of its own (`attach-history` beside the main
/// prompt's), Tab completing `detach` and the targets the shell knows. Each line runs on every
/// attached node; `$status` is 0 when it succeeded everywhere, 3 otherwise, with one summary line
/// naming the nodes that failed. Ctrl-D, `~.` or `detach` leave; Ctrl-C clears the line being
/// typed, or interrupts the running one on every node.
struct AttachPrompt {
    let shell: Shell
    let attachment: Attachment

    static let leaveWords: Set<String> = ["detach", "~."]

    func run() async -> Int32 {
        // attach-history beside the prompt's history file (its last path component replaced).
        let file = Prompt.historyPath(shell.environment).map { HistoryFile(path: String($0.dropLast("history".count)) + "attach-history") }
        let words = ["detach"] + shell.knownNodes.values.flatMap { [$0.id] + ($0.name.map { [$0] } ?? []) }
        let editor = LineEditor(program: "ssm-shell-attach", tildeDotLeaves: true) { _ in words }
        for line in file?.load() ?? [] { editor.addToHistory(line) }
        let names = attachment.nodes.filter { attachment.live.contains($0.index) }.map(\.node.shortLabel)
        shell.console.err("Attached to \(names.joined(separator: ", ")). Each line runs on every node; detach, ~. or Ctrl-D leaves.\n")
        var status: Int32 = 0
        while !attachment.live.isEmpty {
            editor.setPrompt(promptText(status))
            _ = Interrupts.take()
            switch await onDedicatedThread({ editor.readLine() }) {
            case .endOfInput:
                shell.console.err("\n")
                return status
            case .interrupted:
                shell.console.err("\n")
            case .text(let text):
                let line = text.trimmingWhitespace()
                if Self.leaveWords.contains(line) { return status }
                guard !line.isEmpty else { continue }
                if Prompt.keepsInHistory(text) {
                    editor.addToHistory(text)
                    file?.append(text)
                }
                if let problem = AttachScript.problem(with: text) {
                    shell.console.err("\(problem)\n")
                    status = 2
                    continue
                }
                let result = await attachment.run(line: text)
                if let summary = attachment.summary(result) { shell.console.err(summary + "\n") }
                status = result.failed ? ExitStatus.remoteFailure : 0
                shell.exit.lastStatus = status
            }
        }
        shell.console.err("Every session ended.\n")
        return ExitStatus.remoteFailure
    }

    /// `attach NODE[+N]> `, with the last status when it was not 0.
    func promptText(_ status: Int32) -> String {
        let live = attachment.nodes.filter { attachment.live.contains($0.index) }
        let first = live.first?.node.shortLabel ?? "-"
        return "attach \(first)\(live.count > 1 ? "+\(live.count - 1)" : "")\(status == 0 ? "" : " [\(status)]")> "
    }
}
