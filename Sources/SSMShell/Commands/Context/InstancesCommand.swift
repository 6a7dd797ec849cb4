import SSMCore

/// `instances`: the managed nodes, filtered (body: ContextCommands.swift).
struct InstancesCommand: ShellCommand {
    let name = "instances"
    let usage = "instances [FILTER...]"
    let summary = "list managed nodes (filters: TARGET forms, online, offline, platform:linux|windows|macos)"
    let iamActions = ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (optional, Name column)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        // The filters (online, platform:linux, ...) call nothing more; the rest are targets.
        [PolicyBuilder.resolves] + PolicyBuilder.targetActions(words.filter { NodeFilter($0) == nil })
    }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.targets) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.instances(input.arguments)
    }
}
