/// `invocations`: a command's status on each node (body: RunCommands.swift).
struct InvocationsCommand: ShellCommand {
    let name = "invocations"
    let usage = "invocations [CMD]"
    let summary = "per-node status, exit code and times"
    let iamActions = ["ssm:ListCommandInvocations"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:ListCommandInvocations"] }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.commandIds) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.invocations(input.arguments)
    }
}
