/// `stop`: ends forwards (body: ForwardCommands.swift).
struct StopCommand: ShellCommand {
    let name = "stop"
    let usage = "stop ID|all"
    let summary = "stop forwards"
    /// The forward's own task terminates its session, with the action `forward` already needs.
    let iamActions = ["ssm:TerminateSession (the forward's session)"]

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.stop(input.arguments)
    }
}
