/// `cancel`: stops a command on its nodes (body: RunCommands.swift).
struct CancelCommand: ShellCommand {
    let name = "cancel"
    let usage = "cancel [CMD] [TARGET...]"
    let summary = "cancel a command"
    let iamActions = ["ssm:CancelCommand"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:CancelCommand"] }

    func completions(_ request: CompletionRequest) -> Completions {
        .words(request.snapshot.commandIds + request.snapshot.targets)
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.cancel(input.arguments)
    }
}
