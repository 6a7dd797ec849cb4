/// `commands`: the recent Run Command commands (body: RunCommands.swift).
struct CommandsCommand: ShellCommand {
    let name = "commands"
    let usage = "commands [--limit N]"
    let summary = "recent commands"
    let iamActions = ["ssm:ListCommands"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:ListCommands"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.commands(input.arguments)
    }
}
