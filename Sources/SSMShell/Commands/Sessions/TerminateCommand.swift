/// `terminate`: ends sessions by id.
struct TerminateCommand: ShellCommand {
    let name = "terminate"
    let usage = "terminate SESSION..."
    let summary = "end sessions"
    let iamActions = ["ssm:TerminateSession"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:TerminateSession"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard !args.isEmpty else { throw ShellError.usage("terminate needs one or more session ids (see 'sessions')") }
        for id in args { try await shell.fleet().terminateSession(id) }
        if !shell.options.quiet { shell.console.err("terminated \(args.joined(separator: ", "))\n") }
        return 0
    }
}
