/// `output`: each node's output of a command, identical outputs grouped (body: RunCommands.swift).
struct OutputCommand: ShellCommand {
    let name = "output"
    let usage = "output [CMD] [TARGET...] [--stdout] [--stderr] [--no-group] [--save DIR]"
    let summary = "print each node's output, identical outputs grouped"
    let remoteFailureIsData = true
    let iamActions = ["ssm:GetCommandInvocation", "ssm:ListCommandInvocations (without a run before it)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        // Without a `run` before it, output lists the invocations to know the nodes.
        ["ssm:GetCommandInvocation"] + (state.ranCommand ? [] : ["ssm:ListCommandInvocations"])
    }

    func completions(_ request: CompletionRequest) -> Completions {
        request.previous == "--save" ? .paths : .words(request.snapshot.commandIds + request.snapshot.targets)
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.output(input.arguments)
    }
}
