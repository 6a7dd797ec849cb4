/// `connect`: an interactive session on one node (body: SessionCommands.swift).
struct ConnectCommand: ShellCommand {
    let name = "connect"
    let usage = "connect [TARGET] [--document NAME] [--param K=V] [--reason TEXT] [--command CMD] [--record FILE]"
    let summary = "an interactive session on one node (~. leaves, ~? lists escapes); the remote exit status of --command comes back"
    let codeOption: (option: String, valued: Set<String>)? = ("command", ["document", "param", "reason", "command", "record"])
    let iamActions = ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession"] + PolicyBuilder.targetActions(Array(words.prefix(1)))
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        // `--command`'s value is code for the node's shell, read as written (OptionText).
        try await shell.connect(input.arguments, written: OptionText(input.command))
    }
}
