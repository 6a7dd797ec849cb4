import SSMCore

/// `status`: whether nodes are connected to Systems Manager; status 3 if any is not.
struct StatusCommand: ShellCommand {
    let name = "status"
    let usage = "status [TARGET...]"
    let summary = "connected / notconnected; status 3 if any is not connected"
    let iamActions = ["ssm:GetConnectionStatus"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:GetConnectionStatus"] + PolicyBuilder.targetActions(words)
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        let nodes = args.isEmpty ? shell.targets : try await shell.resolveTargets(args)
        guard !nodes.isEmpty else { throw ShellError.usage("status needs targets: status TARGET..., or 'use TARGET' first") }
        var rows: [[String]] = []
        for node in nodes { rows.append([node.label, try await shell.fleet().connectionStatus(node.id)]) }
        shell.print(Table(columns: ["NODE", "STATUS"], rows: rows))
        return rows.allSatisfy { $0[1] == "connected" } ? 0 : 3
    }
}
