/// `status`: whether nodes are connected to Systems Manager (body: SessionCommands.swift).
struct StatusCommand: ShellCommand {
    let name = "status"
    let usage = "status [TARGET...]"
    let summary = "connected / notconnected; status 3 if any is not connected"
    let iamActions = ["ssm:GetConnectionStatus"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:GetConnectionStatus"] + PolicyBuilder.targetActions(words)
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.status(input.arguments)
    }
}
