import AWSCore
import SSMCore

/// `commands`: the recent Run Command commands (ListCommands, up to --limit), of every pair of
/// the context at once: the latest --limit of them all, ids written PROFILE@REGION:ID (as `$cmd`
/// writes them, for `wait`, `output`, `cancel`) when there are several.
struct CommandsCommand: ShellCommand {
    let name = "commands"
    let usage = "commands [--limit N]"
    let summary = "recent commands"
    let iamActions = ["ssm:ListCommands"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:ListCommands"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("commands", input.arguments, valued: ["limit"])
        guard let limit = Int(opts.value("limit") ?? "20"), limit > 0 else { throw ShellError.usage("commands --limit takes a positive number") }
        let answers = try await shell.eachPair { _, fleet in try await fleet.listCommands(limit: limit) }
        // Newest first across the pairs (each pair's list is already newest first).
        let listed = answers.flatMap { answer in answer.value.map { (pair: answer.pair, command: $0) } }
        let latest =
            answers.count == 1
            ? Array(listed.prefix(limit)) : Array(listed.sorted { ($0.command.requestedAt ?? 0) > ($1.command.requestedAt ?? 0) }.prefix(limit))
        let rows = latest.map { entry -> [String] in
            let c = entry.command
            return [
                CommandRef(pair: shell.isMultiContext ? entry.pair : nil, id: c.commandId).description,
                c.requestedAt.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? "", c.documentName,
                String((c.parameters["commands"]?.first ?? c.comment ?? "").prefix(40)), String(c.targetCount ?? c.instanceIds.count), c.status,
                String(c.completedCount ?? 0), String(c.errorCount ?? 0),
            ]
        }
        shell.print(
            await shell.contextTable(
                columns: ["ID", "REQUESTED", "DOCUMENT", "COMMAND", "TARGETS", "STATUS", "DONE", "ERRORS"], rows: rows, pairs: latest.map(\.pair)))
        return 0
    }
}
