/// `wait`: until every invocation of a command has ended (body: RunCommands.swift).
struct WaitCommand: ShellCommand {
    let name = "wait"
    let usage = "wait [CMD] [--timeout D]"
    let summary = "wait until every invocation has ended; status 0 if all succeeded, 3 otherwise"
    let iamActions = ["ssm:ListCommandInvocations"]
    let remoteFailureIsData = true

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:ListCommandInvocations"] }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.commandIds) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.waitCommand(input.arguments)
    }
}
