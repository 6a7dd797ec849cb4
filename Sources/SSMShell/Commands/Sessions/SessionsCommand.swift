/// `sessions`: the active (or past) Session Manager sessions (body: SessionCommands.swift).
struct SessionsCommand: ShellCommand {
    let name = "sessions"
    let usage = "sessions [--history]"
    let summary = "active or past sessions"
    let iamActions = ["ssm:DescribeSessions"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:DescribeSessions"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.sessions(input.arguments)
    }
}
