/// `instances`: the managed nodes, filtered (body: ContextCommands.swift).
struct InstancesCommand: ShellCommand {
    let name = "instances"
    let usage = "instances [FILTER...]"
    let summary = "list managed nodes (filters: TARGET forms, online, offline, platform:linux|windows|macos)"
    let iamActions = ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (optional, Name column)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        let filters = words.filter { !["online", "offline"].contains($0) && !$0.hasPrefix("platform:") }
        return [PolicyBuilder.resolves] + PolicyBuilder.targetActions(filters)
    }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.targets) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.instances(input.arguments)
    }
}
