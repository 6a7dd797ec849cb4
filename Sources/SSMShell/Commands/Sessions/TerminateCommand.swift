/// `terminate`: ends sessions by id (body: SessionCommands.swift).
struct TerminateCommand: ShellCommand {
    let name = "terminate"
    let usage = "terminate SESSION..."
    let summary = "end sessions"
    let iamActions = ["ssm:TerminateSession"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:TerminateSession"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.terminate(input.arguments)
    }
}
