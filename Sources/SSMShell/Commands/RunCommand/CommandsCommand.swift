import AWSCore
import SSMCore

/// `commands`: the recent Run Command commands (ListCommands, up to --limit).
struct CommandsCommand: ShellCommand {
    let name = "commands"
    let usage = "commands [--limit N]"
    let summary = "recent commands"
    let iamActions = ["ssm:ListCommands"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:ListCommands"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("commands", input.arguments, valued: ["limit"])
        guard let limit = Int(opts.value("limit") ?? "20"), limit > 0 else { throw ShellError.usage("commands --limit takes a positive number") }
        let list = try await shell.fleet().listCommands(limit: limit)
        shell.print(
            Table(
                columns: ["ID", "REQUESTED", "DOCUMENT", "COMMAND", "TARGETS", "STATUS", "DONE", "ERRORS"],
                rows: list.map { c in
                    [
                        c.commandId, c.requestedAt.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? "", c.documentName,
                        String((c.parameters["commands"]?.first ?? c.comment ?? "").prefix(40)), String(c.targetCount ?? c.instanceIds.count), c.status,
                        String(c.completedCount ?? 0), String(c.errorCount ?? 0),
                    ]
                }))
        return 0
    }
}
