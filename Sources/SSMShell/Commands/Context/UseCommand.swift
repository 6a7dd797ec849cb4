/// `use`: the profile, region and targets the next commands work with (body: ContextCommands.swift).
struct UseCommand: ShellCommand {
    let name = "use"
    let usage = "use | use profile NAME | use region NAME | use TARGET..."
    let summary = "show or set the profile, region and targets"
    let iamActions = ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (Name globs)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        guard let first = words.first, first != "profile", first != "region" else { return [] }
        state.hasTargets = true
        return PolicyBuilder.targetActions(words)
    }

    func completions(_ request: CompletionRequest) -> Completions {
        switch request.previous {
        case "profile": return .words(request.snapshot.profiles)
        case "region": return .words(Completion.regionsList)
        default: return request.words.count == 2 ? .words(["profile", "region"] + request.snapshot.targets) : .none
        }
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.use(input.arguments)
    }
}
