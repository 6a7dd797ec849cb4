import AWSCore
import SSMCore

/// `invocations`: a command's status on each node (every page, Pagination).
struct InvocationsCommand: ShellCommand {
    let name = "invocations"
    let usage = "invocations [CMD]"
    let summary = "per-node status, exit code and times"
    let iamActions = ["ssm:ListCommandInvocations"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:ListCommandInvocations"] }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.commandIds) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let ids = try shell.commandIds(input.arguments.first)
        var rows: [[String]] = []
        var pairs: [ContextPair?] = []
        let listed = try await shell.invocationsInEveryPair(ids)
        for id in ids {
            for inv in listed[id] ?? [] {
                pairs.append(CommandRef(id).pair)
                rows.append([
                    shell.label(inv.instanceId), inv.status, inv.statusDetails ?? "",
                    inv.requestedAt.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? "",
                ])
            }
        }
        shell.print(await shell.contextTable(columns: ["NODE", "STATUS", "DETAILS", "REQUESTED"], rows: rows, pairs: pairs))
        return 0
    }
}
