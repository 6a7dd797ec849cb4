/// `proxy`: stdin and stdout to a port on a node, for ssh's ProxyCommand (body: SessionCommands.swift).
struct ProxyCommand: ShellCommand {
    let name = "proxy"
    let usage = "proxy TARGET [PORT]"
    let summary = "stdin/stdout to PORT (default 22) on the node, for ssh's ProxyCommand"
    let iamActions = ["ssm:StartSession", "ssm:TerminateSession"]
    let runsAlone = true

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:StartSession", "ssm:TerminateSession"] + PolicyBuilder.targetActions(words.count > 1 ? [words[0]] : [])
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.proxy(input.arguments)
    }
}
