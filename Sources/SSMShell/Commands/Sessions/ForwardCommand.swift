/// `forward`: a local port to a port on (or behind) a node, in the background (body: ForwardCommands.swift).
struct ForwardCommand: ShellCommand {
    let name = "forward"
    let usage = "forward [TARGET] [LOCAL:]PORT | forward [TARGET] [LOCAL:]HOST:PORT [--foreground] [--reason TEXT]"
    let summary = "forward 127.0.0.1:LOCAL to PORT on the node (or HOST:PORT behind it), in the background; LOCAL 0 picks one ($port)"
    let iamActions = ["ssm:StartSession", "ssm:TerminateSession"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:StartSession", "ssm:TerminateSession"] + PolicyBuilder.targetActions(words.count > 1 ? [words[0]] : [])
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.forward(input.arguments)
    }
}
