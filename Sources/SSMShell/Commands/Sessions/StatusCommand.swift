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
        // Each pair's nodes at once (a pair's in turn); rows in the nodes' order.
        let answers = try await shell.eachPair(among: nodes.map(\.pair)) { [nodes] pair, fleet in
            var statuses: [String: String] = [:]
            for node in nodes where node.pair == pair { statuses[node.id] = try await fleet.connectionStatus(node.id) }
            return statuses
        }
        let statuses = answers.reduce(into: [String: String]()) { $0.merge($1.value) { a, _ in a } }
        let shown = nodes.filter { statuses[$0.id] != nil }
        let rows = shown.map { [$0.label, statuses[$0.id]!] }
        shell.print(await shell.contextTable(columns: ["NODE", "STATUS"], rows: rows, pairs: shown.map(\.pair)))
        return rows.allSatisfy { $0[1] == "connected" } ? 0 : 3
    }
}
