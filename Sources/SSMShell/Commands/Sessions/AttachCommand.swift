import AWSCore
import SSMCore
import SystemIO

/// `attach`: one kept shell session per node and a local prompt; each line runs in every node's
/// own shell, its output live (docs/language.md, section "attach"). With a here-document, its
/// lines run one by one, stopping at the first that fails on any node.
struct AttachCommand: ShellCommand {
    let name = "attach"
    let usage = "attach [TARGET...] [<<EOF]"
    let summary = "a shell on one node or many: each line runs in every node's own shell, state kept, output live; detach, ~. or Ctrl-D leaves"
    let iamActions = ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]
    var takesHereDocument: Bool { true }

    /// The basic session actions only (the guide's basic policy): the same as `connect`'s.
    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", PolicyBuilder.resumes] + PolicyBuilder.targetActions(words)
    }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.targets) }

    /// How long the sessions may take to come up (StartSession, the handshake, the shell's setup).
    static let readyLimit = 60.0

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("attach", input.arguments, valued: [], anywhere: true)
        let nodes = opts.rest.isEmpty ? shell.targets : try await shell.resolveTargets(opts.rest)
        guard !nodes.isEmpty else { throw ShellError.usage("attach needs targets: attach TARGET..., or 'use TARGET' first") }
        let script = input.hereDocument.map(Self.lines)
        if let script {
            for (number, line) in script {
                if let problem = AttachScript.problem(with: line) { throw ShellError.usage("line \(number) of the here-document: \(problem)") }
            }
        }
        // Each node through its own account and region's client (a context of several pairs).
        let fleets = try nodes.map { try shell.fleet(for: $0.pair) }
        let attachment = try Attachment(nodes, shell: shell)
        await attachment.open(fleets: fleets, deadline: Self.readyLimit)
        do {
            guard !attachment.live.isEmpty else {
                throw ShellError.remote("attach opened no session on \(nodes.count == 1 ? nodes[0].shortLabel : "any of the \(nodes.count) nodes")")
            }
            if attachment.openingInterrupted { throw ShellError("attach was interrupted while the sessions opened", status: ExitStatus.interrupted) }
            let status: Int32
            if let script {
                // A script's lines run everywhere or nowhere: a node left out would pass unseen.
                if !attachment.notAttached.isEmpty {
                    throw ShellError.remote("attach could not open a session on \(attachment.notAttached.joined(separator: ", ")): no line was sent")
                }
                status = try await Self.runScript(script, attachment, shell)
            } else {
                status = await AttachPrompt(shell: shell, attachment: attachment).run()
            }
            await attachment.close()
            return status
        } catch {
            await attachment.close()
            throw error
        }
    }

    /// The here-document's lines with their numbers (from 1), blank ones left out.
    static func lines(_ text: String) -> [(Int, String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            line.trimmingWhitespace().isEmpty ? nil : (index + 1, String(line))
        }
    }

    /// Each line on every node; the first that fails anywhere stops the script (status 3), unless
    /// inside `try` or with keep-going (issue 15): then every line runs, each failure is reported,
    /// and the status is 3.
    static func runScript(_ lines: [(Int, String)], _ attachment: Attachment, _ shell: Shell) async throws -> Int32 {
        let goesOn = shell.failureHandled > 0 || shell.settings.keepGoing
        var failed = false
        for (number, line) in lines {
            guard !attachment.live.isEmpty else { throw ShellError.remote("every session ended before line \(number) of the here-document") }
            let result = await attachment.run(line: line)
            // Ctrl-C stops the script wherever it is (try and keep-going included).
            if result.interrupted { throw ShellError("attach was interrupted at line \(number) of the here-document", status: ExitStatus.interrupted) }
            if let summary = attachment.summary(result) {
                let sentence = "line \(number) of the here-document (\(line)) \(summary)"
                guard goesOn else { throw ShellError.remote(sentence) }
                shell.console.err("ssm-shell: \(sentence)\n")
                failed = true
            }
        }
        return failed ? ExitStatus.remoteFailure : 0
    }
}
